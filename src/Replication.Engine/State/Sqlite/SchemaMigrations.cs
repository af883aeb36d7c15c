using System.Collections.Generic;

namespace Replication.Engine.State.Sqlite;

/// <summary>
/// The schema, as an ordered list of migrations. A state file records the versions applied; opening it applies the
/// missing ones in one transaction. Append new migrations; never edit a released one.
/// </summary>
internal static class SchemaMigrations
{
    public static readonly IReadOnlyList<(int Version, string Sql)> All = new[]
    {
        (1, """
            CREATE TABLE backends (
                name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
                driver TEXT NOT NULL,
                path TEXT NOT NULL,
                replication_partner TEXT COLLATE NOCASE,
                declared_capabilities TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE TABLE volume_types (
                name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
                description TEXT,
                created_at TEXT NOT NULL
            );
            CREATE TABLE volume_type_extra_specs (
                volume_type TEXT NOT NULL REFERENCES volume_types(name) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (volume_type, key)
            );
            CREATE TABLE volumes (
                id TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
                volume_type TEXT NOT NULL REFERENCES volume_types(name),
                status TEXT NOT NULL,
                backend TEXT NOT NULL REFERENCES backends(name),
                location TEXT NOT NULL,
                replication_status TEXT NOT NULL,
                replication_extended_status TEXT,
                replication_driver_data TEXT,
                replica_backend TEXT REFERENCES backends(name),
                replica_location TEXT,
                replica_fenced INTEGER NOT NULL DEFAULT 0,
                sync_generation INTEGER NOT NULL DEFAULT 0,
                last_sync_started_at TEXT,
                last_sync_completed_at TEXT,
                source_replica TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX volumes_by_type ON volumes(volume_type);
            CREATE INDEX volumes_by_backend ON volumes(backend);
            CREATE INDEX volumes_by_replica_backend ON volumes(replica_backend);
            CREATE TABLE block_maps (
                volume_id TEXT NOT NULL PRIMARY KEY REFERENCES volumes(id) ON DELETE CASCADE,
                block_size INTEGER NOT NULL,
                volume_size INTEGER NOT NULL,
                hashes BLOB NOT NULL
            );
            CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                operation TEXT NOT NULL,
                object_type TEXT NOT NULL,
                object_name TEXT NOT NULL,
                volume_id TEXT,
                from_status TEXT,
                to_status TEXT,
                message TEXT NOT NULL
            );
            CREATE INDEX events_by_object ON events(object_name);
            CREATE INDEX events_by_time ON events(at);
            """),
        (2, """
            CREATE TABLE volume_leases (
                volume_id TEXT NOT NULL PRIMARY KEY,
                holder TEXT NOT NULL,
                actor TEXT NOT NULL,
                operation TEXT NOT NULL,
                acquired_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            );
            """),
        (3, """
            CREATE TABLE dr_tests (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                volume_name TEXT NOT NULL COLLATE NOCASE,
                volume_type TEXT NOT NULL,
                replica_backend TEXT,
                outcome TEXT NOT NULL,
                reason TEXT NOT NULL,
                verified TEXT NOT NULL,
                blocks_compared INTEGER NOT NULL,
                blocks_mismatched INTEGER NOT NULL,
                sync_generation INTEGER,
                data_timestamp TEXT,
                data_age_ms INTEGER,
                rpo_target_ms INTEGER,
                time_to_ready_ms INTEGER,
                test_volume_name TEXT,
                test_volume_kept INTEGER NOT NULL,
                started_at TEXT NOT NULL,
                duration_ms INTEGER,
                actor TEXT NOT NULL
            );
            CREATE INDEX dr_tests_by_volume ON dr_tests(volume_name);
            CREATE INDEX dr_tests_by_time ON dr_tests(started_at);
            """),
        (4, """
            ALTER TABLE backends ADD COLUMN frozen_at TEXT;
            ALTER TABLE backends ADD COLUMN failed_over_at TEXT;
            ALTER TABLE volumes ADD COLUMN failover_source TEXT;
            ALTER TABLE volumes ADD COLUMN fence_stamp TEXT;
            """),
        (5, """
            CREATE TABLE replication_groups (
                name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
                description TEXT,
                created_at TEXT NOT NULL
            );
            ALTER TABLE volumes ADD COLUMN group_name TEXT COLLATE NOCASE;
            ALTER TABLE volumes ADD COLUMN group_round INTEGER;
            CREATE INDEX volumes_by_group ON volumes(group_name);
            CREATE TABLE group_rounds (
                token TEXT NOT NULL PRIMARY KEY,
                group_name TEXT NOT NULL COLLATE NOCASE,
                round INTEGER NOT NULL,
                started_at TEXT NOT NULL,
                committed_at TEXT
            );
            CREATE INDEX group_rounds_by_group ON group_rounds(group_name, round);
            CREATE TABLE group_promotions (
                group_name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
                started_at TEXT NOT NULL,
                planned INTEGER NOT NULL
            );
            """),
        // Leases name their holder's host and process, so a dead holder's lease is taken at once. Version 2's table had
        // no room for them; a lease lives for seconds, so the table is made again rather than altered.
        (6, """
            DROP TABLE volume_leases;
            CREATE TABLE volume_leases (
                volume_id TEXT NOT NULL PRIMARY KEY,
                holder TEXT NOT NULL,
                actor TEXT NOT NULL,
                host TEXT NOT NULL,
                pid INTEGER NOT NULL,
                process_started_at TEXT NOT NULL,
                operation TEXT NOT NULL,
                acquired_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            );
            """),
        // A replica is verified by its content: what a failed check or DR test found stays on the volume until a newer
        // one passes or a comparing round repairs it; and a round whose primary was written meanwhile says so.
        (7, """
            ALTER TABLE volumes ADD COLUMN last_sync_raced INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE volumes ADD COLUMN verification_failure TEXT;
            ALTER TABLE volumes ADD COLUMN verification_failed_at TEXT;
            ALTER TABLE volumes ADD COLUMN damaged_blocks INTEGER NOT NULL DEFAULT 0;
            """),
        // Each store gets an identity of its own, which its backends' storage is marked with so that no second store takes
        // that storage over; backends keep their driver's settings.
        (8, """
            CREATE TABLE store_identity (id TEXT NOT NULL);
            INSERT INTO store_identity (id) VALUES (lower(hex(randomblob(16))));
            ALTER TABLE backends ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
            """),
        // A sync round's event carries its figures, so statistics over a period are one indexed query: the time it took
        // (set on every round, failed ones too) and the bytes it wrote (null when it failed).
        (9, """
            ALTER TABLE events ADD COLUMN round_bytes INTEGER;
            ALTER TABLE events ADD COLUMN round_ms INTEGER;
            CREATE INDEX events_rounds_by_time ON events(at) WHERE round_ms IS NOT NULL;
            """),
        // Storage drivers registered from their own assemblies (Register-StorageDriver): where each one's assembly is and
        // the SHA-256 it had when registered, so a file changed behind the module's back is not loaded.
        (10, """
            CREATE TABLE storage_drivers (
                name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
                path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                version TEXT NOT NULL,
                registered_at TEXT NOT NULL
            );
            """),
        // A change of a volume's copies that a process started (a move to another backend) is recorded with what was
        // asked before any file is touched, so the next command settles one that died from the record, not from the files.
        (11, """
            ALTER TABLE volumes ADD COLUMN pending_change TEXT;
            """),
        // Recovery points (issue 16): a row per point a volume keeps, and the
        // intent of a promotion that rolls a replica back to a point, so a crash mid-rollback is finished by the next command.
        (12, """
            CREATE TABLE recovery_points (
                volume_id TEXT NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
                round INTEGER NOT NULL,
                data_timestamp TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                bytes_held INTEGER NOT NULL,
                raced INTEGER NOT NULL,
                group_name TEXT COLLATE NOCASE,
                group_round INTEGER,
                PRIMARY KEY (volume_id, round)
            );
            CREATE TABLE recovery_rollbacks (
                volume_id TEXT NOT NULL PRIMARY KEY REFERENCES volumes(id) ON DELETE CASCADE,
                round INTEGER NOT NULL,
                started_at TEXT NOT NULL
            );
            """),
        // Volume snapshots (issue 17): a row per snapshot kept on a backend, written after its file is whole and durable
        // and deleted before its file is, so a file without a row is a leftover the next command removes.
        (13, """
            CREATE TABLE volume_snapshots (
                id TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                volume_id TEXT NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
                description TEXT,
                backend TEXT NOT NULL COLLATE NOCASE,
                location TEXT NOT NULL,
                size_bytes INTEGER NOT NULL,
                bytes_held INTEGER NOT NULL,
                method TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX volume_snapshots_by_volume ON volume_snapshots(volume_id);
            """),
        // The fence epoch (issue 15): bumped by every promotion and re-enable, asserted to the sites' storage agents. 13 is
        // the snapshot ledger's.
        (14, """
            ALTER TABLE volumes ADD COLUMN fence_epoch INTEGER NOT NULL DEFAULT 0;
            """),
    };
}
