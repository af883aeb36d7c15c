using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Data.Sqlite;
using Replication.Engine.Model;
using Replication.Engine.Replication;

namespace Replication.Engine.State.Sqlite;

/// <summary>One SQLite transaction; every statement is parameterised, so names and specs never become SQL.</summary>
internal sealed partial class SqliteStateSession : IStateSession
{
    private const string VolumeColumns =
        "id, name, size_bytes, volume_type, status, backend, location, replication_status, replication_extended_status, " +
        "replication_driver_data, replica_backend, replica_location, replica_fenced, sync_generation, last_sync_started_at, " +
        "last_sync_completed_at, source_replica, created_at, failover_source, fence_stamp, group_name, group_round";

    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;

    public SqliteStateSession(SqliteConnection connection, SqliteTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public void Commit()
    {
        try
        {
            _transaction.Commit();
        }
        catch (SqliteException ex)
        {
            throw SqliteStateStore.Translate(ex, _connection.DataSource);
        }
    }

    public void Dispose()
    {
        _transaction.Dispose();
        _connection.Dispose();
    }

    private const string BackendColumns = "name, driver, path, replication_partner, declared_capabilities, created_at, frozen_at, failed_over_at";

    public BackendRecord? FindBackend(string name) =>
        Query($"SELECT {BackendColumns} FROM backends WHERE name = $name;",
            ReadBackend, ("$name", name)).FirstOrDefault();

    public IReadOnlyList<BackendRecord> ListBackends() =>
        Query($"SELECT {BackendColumns} FROM backends ORDER BY name;", ReadBackend);

    public void UpdateBackend(BackendRecord backend) => Execute(
        "UPDATE backends SET replication_partner = $partner, declared_capabilities = $caps, frozen_at = $frozen, failed_over_at = $failed WHERE name = $name;",
        ("$name", backend.Name), ("$partner", backend.ReplicationPartner), ("$caps", DbText.Json(backend.DeclaredCapabilities)),
        ("$frozen", DbText.TimeOrNull(backend.FrozenAt)), ("$failed", DbText.TimeOrNull(backend.FailedOverAt)));

    public void InsertBackend(BackendRecord backend) => Execute(
        "INSERT INTO backends (name, driver, path, replication_partner, declared_capabilities, created_at) VALUES ($name, $driver, $path, $partner, $caps, $at);",
        ("$name", backend.Name), ("$driver", backend.Driver), ("$path", backend.Path), ("$partner", backend.ReplicationPartner),
        ("$caps", DbText.Json(backend.DeclaredCapabilities)), ("$at", DbText.Time(backend.CreatedAt)));

    public void DeleteBackend(string name) => Execute("DELETE FROM backends WHERE name = $name;", ("$name", name));

    public VolumeTypeRecord? FindVolumeType(string name) =>
        Query("SELECT name, description, created_at FROM volume_types WHERE name = $name;", ReadVolumeType, ("$name", name)).FirstOrDefault();

    public IReadOnlyList<VolumeTypeRecord> ListVolumeTypes() =>
        Query("SELECT name, description, created_at FROM volume_types ORDER BY name;", ReadVolumeType);

    public void InsertVolumeType(VolumeTypeRecord volumeType)
    {
        Execute("INSERT INTO volume_types (name, description, created_at) VALUES ($name, $description, $at);",
            ("$name", volumeType.Name), ("$description", volumeType.Description), ("$at", DbText.Time(volumeType.CreatedAt)));
        foreach (var spec in volumeType.ExtraSpecs)
        {
            Execute("INSERT INTO volume_type_extra_specs (volume_type, key, value) VALUES ($type, $key, $value);",
                ("$type", volumeType.Name), ("$key", spec.Key), ("$value", spec.Value));
        }
    }

    public void DeleteVolumeType(string name) => Execute("DELETE FROM volume_types WHERE name = $name;", ("$name", name));

    public VolumeRecord? FindVolume(string name) =>
        Query($"SELECT {VolumeColumns} FROM volumes WHERE name = $name;", ReadVolume, ("$name", name)).FirstOrDefault();

    public VolumeRecord? FindVolume(Guid id) =>
        Query($"SELECT {VolumeColumns} FROM volumes WHERE id = $id;", ReadVolume, ("$id", id.ToString())).FirstOrDefault();

    public IReadOnlyList<VolumeRecord> ListVolumes(VolumeQuery query)
    {
        var (where, parameters) = VolumeFilter(query);
        return Query($"SELECT {VolumeColumns} FROM volumes{where} ORDER BY name;", ReadVolume, parameters);
    }

    public int CountVolumes(VolumeQuery query)
    {
        var (where, parameters) = VolumeFilter(query);
        return Query($"SELECT COUNT(*) FROM volumes{where};", r => r.GetInt32(0), parameters).Single();
    }

    public void InsertVolume(VolumeRecord volume) => Execute(
        $"INSERT INTO volumes ({VolumeColumns}) VALUES ($id, $name, $size, $type, $status, $backend, $location, $rstatus, $rext, $rdata, $rbackend, $rlocation, $rfenced, $gen, $started, $completed, $source, $at, $failover, $fence, $group, $round);",
        VolumeParameters(volume));

    public void UpdateVolume(VolumeRecord volume)
    {
        var changed = Execute(
            "UPDATE volumes SET name = $name, size_bytes = $size, volume_type = $type, status = $status, backend = $backend, location = $location, " +
            "replication_status = $rstatus, replication_extended_status = $rext, replication_driver_data = $rdata, replica_backend = $rbackend, " +
            "replica_location = $rlocation, replica_fenced = $rfenced, sync_generation = $gen, last_sync_started_at = $started, " +
            "last_sync_completed_at = $completed, source_replica = $source, created_at = $at, failover_source = $failover, fence_stamp = $fence, group_name = $group, group_round = $round WHERE id = $id;",
            VolumeParameters(volume));
        if (changed != 1)
        {
            throw new InvalidOperationException($"Volume {volume.Id} vanished inside a write transaction.");
        }
    }

    public void DeleteVolume(Guid id) => Execute("DELETE FROM volumes WHERE id = $id;", ("$id", id.ToString()));

    public BlockMap? LoadBlockMap(Guid volumeId) =>
        Query("SELECT block_size, volume_size, hashes FROM block_maps WHERE volume_id = $id;",
            r => BlockMapStorage.Decode(r.GetInt32(0), r.GetInt64(1), (byte[])r.GetValue(2)), ("$id", volumeId.ToString())).FirstOrDefault();

    public void SaveBlockMap(Guid volumeId, BlockMap map) => Execute(
        "INSERT OR REPLACE INTO block_maps (volume_id, block_size, volume_size, hashes) VALUES ($id, $bs, $vs, $hashes);",
        ("$id", volumeId.ToString()), ("$bs", map.BlockSize), ("$vs", map.VolumeSize), ("$hashes", BlockMapStorage.Encode(map)));

    public void DeleteBlockMap(Guid volumeId) => Execute("DELETE FROM block_maps WHERE volume_id = $id;", ("$id", volumeId.ToString()));

    public VolumeLease? FindLease(Guid volumeId) =>
        Query("SELECT volume_id, holder, actor, operation, acquired_at, expires_at, host, pid, process_started_at FROM volume_leases WHERE volume_id = $id;", r => new VolumeLease
        {
            VolumeId = Guid.Parse(r.GetString(0)),
            Holder = r.GetString(1),
            Actor = r.GetString(2),
            Operation = r.GetString(3),
            AcquiredAt = DbText.ParseTime(r.GetString(4)),
            ExpiresAt = DbText.ParseTime(r.GetString(5)),
            Host = r.GetString(6),
            ProcessId = r.GetInt32(7),
            ProcessStartedAt = DbText.ParseTime(r.GetString(8)),
        }, ("$id", volumeId.ToString())).FirstOrDefault();

    public void PutLease(VolumeLease lease) => Execute(
        "INSERT OR REPLACE INTO volume_leases (volume_id, holder, actor, operation, acquired_at, expires_at, host, pid, process_started_at) VALUES ($id, $holder, $actor, $op, $at, $expires, $host, $pid, $started);",
        ("$id", lease.VolumeId.ToString()), ("$holder", lease.Holder), ("$actor", lease.Actor), ("$op", lease.Operation), ("$host", lease.Host), ("$pid", lease.ProcessId),
        ("$started", DbText.Time(lease.ProcessStartedAt)),
        ("$at", DbText.Time(lease.AcquiredAt)), ("$expires", DbText.Time(lease.ExpiresAt)));

    public bool RenewLease(Guid volumeId, string holder, DateTimeOffset expiresAt) => Execute(
        "UPDATE volume_leases SET expires_at = $expires WHERE volume_id = $id AND holder = $holder;",
        ("$id", volumeId.ToString()), ("$holder", holder), ("$expires", DbText.Time(expiresAt))) == 1;

    public void DeleteLease(Guid volumeId, string holder) => Execute(
        "DELETE FROM volume_leases WHERE volume_id = $id AND holder = $holder;", ("$id", volumeId.ToString()), ("$holder", holder));

    private const string DrTestColumns =
        "volume_name, volume_type, replica_backend, outcome, reason, verified, blocks_compared, blocks_mismatched, sync_generation, data_timestamp, " +
        "data_age_ms, rpo_target_ms, time_to_ready_ms, test_volume_name, test_volume_kept, started_at, duration_ms, actor";

    public long InsertDrTest(DrTestResult test)
    {
        Execute($"INSERT INTO dr_tests ({DrTestColumns}) VALUES ($volume, $type, $replica, $outcome, $reason, $verified, $compared, $mismatched, $gen, $data, $age, $rpo, $ready, $test, $kept, $started, $duration, $actor);",
            DrTestParameters(test));
        return Query("SELECT last_insert_rowid();", r => r.GetInt64(0)).Single();
    }

    public void UpdateDrTest(DrTestResult test) => Execute(
        "UPDATE dr_tests SET volume_name = $volume, volume_type = $type, replica_backend = $replica, outcome = $outcome, reason = $reason, verified = $verified, " +
        "blocks_compared = $compared, blocks_mismatched = $mismatched, sync_generation = $gen, data_timestamp = $data, data_age_ms = $age, rpo_target_ms = $rpo, " +
        "time_to_ready_ms = $ready, test_volume_name = $test, test_volume_kept = $kept, started_at = $started, duration_ms = $duration, actor = $actor WHERE id = $id;",
        DrTestParameters(test).Append(("$id", test.TestId)).ToArray());

    public IReadOnlyList<DrTestResult> ListDrTests(DrTestQuery query)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object?)>();
        if (query.VolumeName is { } name)
        {
            conditions.Add("volume_name = $name");
            parameters.Add(("$name", name));
        }

        if (query.Since is { } since)
        {
            conditions.Add("started_at >= $since");
            parameters.Add(("$since", DbText.Time(since)));
        }

        if (query.Outcome is { } outcome)
        {
            conditions.Add("outcome = $outcome");
            parameters.Add(("$outcome", outcome.ToString()));
        }

        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        var sql = $"SELECT id, {DrTestColumns} FROM dr_tests{where} ORDER BY id";
        if (query.Newest is { } newest)
        {
            sql = $"SELECT * FROM ({sql} DESC LIMIT $newest) ORDER BY id";
            parameters.Add(("$newest", newest));
        }

        return Query(sql + ";", ReadDrTest, parameters.ToArray());
    }

    public GroupRecord? FindGroup(string name) =>
        Query("SELECT name, description, created_at FROM replication_groups WHERE name = $name;", ReadGroup, ("$name", name)).FirstOrDefault();

    public IReadOnlyList<GroupRecord> ListGroups() =>
        Query("SELECT name, description, created_at FROM replication_groups ORDER BY name;", ReadGroup);

    public void InsertGroup(GroupRecord group) => Execute(
        "INSERT INTO replication_groups (name, description, created_at) VALUES ($name, $description, $at);",
        ("$name", group.Name), ("$description", group.Description), ("$at", DbText.Time(group.CreatedAt)));

    public void DeleteGroup(string name) => Execute(
        "DELETE FROM group_rounds WHERE group_name = $name; DELETE FROM replication_groups WHERE name = $name;", ("$name", name));

    public void PutGroupRound(GroupRound round) => Execute(
        "INSERT OR REPLACE INTO group_rounds (token, group_name, round, started_at, committed_at) VALUES ($token, $group, $round, $started, $committed);",
        ("$token", round.Token.ToString()), ("$group", round.GroupName), ("$round", round.Round), ("$started", DbText.Time(round.StartedAt)),
        ("$committed", DbText.TimeOrNull(round.CommittedAt)));

    public GroupRound? FindGroupRound(Guid token) =>
        Query("SELECT token, group_name, round, started_at, committed_at FROM group_rounds WHERE token = $token;", ReadGroupRound, ("$token", token.ToString())).FirstOrDefault();

    public GroupRound? LastCommittedGroupRound(string groupName) =>
        Query("SELECT token, group_name, round, started_at, committed_at FROM group_rounds WHERE group_name = $group AND committed_at IS NOT NULL ORDER BY round DESC LIMIT 1;",
            ReadGroupRound, ("$group", groupName)).FirstOrDefault();

    public IReadOnlyList<GroupRound> ListUncommittedGroupRounds(string groupName) =>
        Query("SELECT token, group_name, round, started_at, committed_at FROM group_rounds WHERE group_name = $group AND committed_at IS NULL ORDER BY round;",
            ReadGroupRound, ("$group", groupName));

    public void DeleteGroupRound(Guid token) => Execute("DELETE FROM group_rounds WHERE token = $token;", ("$token", token.ToString()));

    public DateTimeOffset? FindGroupPromotion(string groupName) =>
        Query("SELECT started_at FROM group_promotions WHERE group_name = $group;", r => (DateTimeOffset?)DbText.ParseTime(r.GetString(0)), ("$group", groupName)).FirstOrDefault();

    public void PutGroupPromotion(string groupName, DateTimeOffset startedAt, bool planned) => Execute(
        "INSERT OR REPLACE INTO group_promotions (group_name, started_at, planned) VALUES ($group, $started, $planned);",
        ("$group", groupName), ("$started", DbText.Time(startedAt)), ("$planned", planned ? 1 : 0));

    public void DeleteGroupPromotion(string groupName) => Execute("DELETE FROM group_promotions WHERE group_name = $group;", ("$group", groupName));

    private static GroupRecord ReadGroup(SqliteDataReader r) => new()
    {
        Name = r.GetString(0),
        Description = NullableString(r, 1),
        CreatedAt = DbText.ParseTime(r.GetString(2)),
    };

    private static GroupRound ReadGroupRound(SqliteDataReader r) => new()
    {
        Token = Guid.Parse(r.GetString(0)),
        GroupName = r.GetString(1),
        Round = r.GetInt64(2),
        StartedAt = DbText.ParseTime(r.GetString(3)),
        CommittedAt = NullableString(r, 4) is { } committed ? DbText.ParseTime(committed) : null,
    };

    public void AppendEvent(ReplicationEvent e) => Execute(
        "INSERT INTO events (at, actor, operation, object_type, object_name, volume_id, from_status, to_status, message) " +
        "VALUES ($at, $actor, $op, $type, $name, $volume, $from, $to, $message);",
        EventParameters(e));

    private static (string, object?)[] EventParameters(ReplicationEvent e) => new (string, object?)[]
    {
        ("$at", DbText.Time(e.Time)), ("$actor", e.Actor), ("$op", e.Operation), ("$type", e.ObjectType), ("$name", e.ObjectName),
        ("$volume", e.VolumeId?.ToString()), ("$from", e.FromStatus), ("$to", e.ToStatus), ("$message", e.Message),
    };

    public IReadOnlyList<ReplicationEvent> ListEvents(EventQuery query)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object?)>();
        if (query.ObjectName is { } name)
        {
            conditions.Add("object_name = $name COLLATE NOCASE");
            parameters.Add(("$name", name));
        }

        if (query.Since is { } since)
        {
            conditions.Add("at >= $since");
            parameters.Add(("$since", DbText.Time(since)));
        }

        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        var sql = $"SELECT id, at, actor, operation, object_type, object_name, volume_id, from_status, to_status, message FROM events{where} ORDER BY id";
        if (query.Newest is { } newest)
        {
            sql = $"SELECT * FROM ({sql} DESC LIMIT $newest) ORDER BY id";
            parameters.Add(("$newest", newest));
        }

        return Query(sql + ";", r => new ReplicationEvent
        {
            Id = r.GetInt64(0),
            Time = DbText.ParseTime(r.GetString(1)),
            Actor = r.GetString(2),
            Operation = r.GetString(3),
            ObjectType = r.GetString(4),
            ObjectName = r.GetString(5),
            VolumeId = r.IsDBNull(6) ? null : Guid.Parse(r.GetString(6)),
            FromStatus = r.IsDBNull(7) ? null : r.GetString(7),
            ToStatus = r.IsDBNull(8) ? null : r.GetString(8),
            Message = r.GetString(9),
        }, parameters.ToArray());
    }

    private static (string, object?)[] DrTestParameters(DrTestResult t) => new (string, object?)[]
    {
        ("$volume", t.VolumeName), ("$type", t.VolumeType), ("$replica", t.ReplicaBackend), ("$outcome", t.Outcome.ToString()), ("$reason", t.Reason),
        ("$verified", t.Verified), ("$compared", t.BlocksCompared), ("$mismatched", t.BlocksMismatched), ("$gen", t.SyncGeneration),
        ("$data", DbText.TimeOrNull(t.DataTimestamp)), ("$age", Milliseconds(t.DataAgeSeconds)), ("$rpo", Milliseconds(t.RpoTargetSeconds)), ("$ready", Milliseconds(t.TimeToReadySeconds)),
        ("$test", t.TestVolumeName), ("$kept", t.TestVolumeKept ? 1 : 0), ("$started", DbText.Time(t.StartedAt)), ("$duration", Milliseconds(t.DurationSeconds)), ("$actor", t.Actor),
    };

    private static object? Milliseconds(double? seconds) => seconds is { } s ? (long)Math.Round(s * 1000) : null;

    private static double? ReadSeconds(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetInt64(ordinal) / 1000.0;

    private static DrTestResult ReadDrTest(SqliteDataReader r) => new()
    {
        TestId = r.GetInt64(0),
        VolumeName = r.GetString(1),
        VolumeType = r.GetString(2),
        ReplicaBackend = NullableString(r, 3),
        Outcome = (DrTestOutcome)Enum.Parse(typeof(DrTestOutcome), r.GetString(4)),
        Reason = r.GetString(5),
        Verified = r.GetString(6),
        BlocksCompared = r.GetInt64(7),
        BlocksMismatched = r.GetInt64(8),
        SyncGeneration = r.IsDBNull(9) ? null : r.GetInt64(9),
        DataTimestamp = NullableString(r, 10) is { } data ? DbText.ParseTime(data) : null,
        DataAgeSeconds = ReadSeconds(r, 11),
        RpoTargetSeconds = ReadSeconds(r, 12),
        TimeToReadySeconds = ReadSeconds(r, 13),
        TestVolumeName = NullableString(r, 14),
        TestVolumeKept = r.GetInt64(15) != 0,
        StartedAt = DbText.ParseTime(r.GetString(16)),
        DurationSeconds = ReadSeconds(r, 17),
        Actor = r.GetString(18),
    };

    private static (string Where, (string, object?)[] Parameters) VolumeFilter(VolumeQuery query)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object?)>();
        if (query.VolumeType is { } type)
        {
            conditions.Add("volume_type = $type COLLATE NOCASE");
            parameters.Add(("$type", type));
        }

        if (query.Backend is { } backend)
        {
            conditions.Add("(backend = $backend COLLATE NOCASE OR replica_backend = $backend COLLATE NOCASE)");
            parameters.Add(("$backend", backend));
        }

        if (query.GroupName is { } group)
        {
            conditions.Add("group_name = $group");
            parameters.Add(("$group", group));
        }

        if (query.SourceReplica is { } source)
        {
            conditions.Add("source_replica = $source COLLATE NOCASE");
            parameters.Add(("$source", source));
        }

        return (conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions), parameters.ToArray());
    }

    private static (string, object?)[] VolumeParameters(VolumeRecord v) => new (string, object?)[]
    {
        ("$id", v.Id.ToString()), ("$name", v.Name), ("$size", v.SizeBytes), ("$type", v.VolumeType), ("$status", v.Status.ToString()),
        ("$backend", v.Backend), ("$location", v.Location), ("$rstatus", v.ReplicationStatus.ToCinder()),
        ("$rext", v.ReplicationExtendedStatus), ("$rdata", v.ReplicationDriverData), ("$rbackend", v.ReplicaBackend),
        ("$rlocation", v.ReplicaLocation), ("$rfenced", v.ReplicaFenced ? 1 : 0), ("$gen", v.SyncGeneration),
        ("$started", DbText.TimeOrNull(v.LastSyncStartedAt)), ("$completed", DbText.TimeOrNull(v.LastSyncCompletedAt)),
        ("$source", v.SourceReplica), ("$at", DbText.Time(v.CreatedAt)), ("$failover", v.FailoverSource), ("$fence", v.FenceStamp),
        ("$group", v.GroupName), ("$round", v.GroupRound),
    };

    private static VolumeRecord ReadVolume(SqliteDataReader r) => new()
    {
        Id = Guid.Parse(r.GetString(0)),
        Name = r.GetString(1),
        SizeBytes = r.GetInt64(2),
        VolumeType = r.GetString(3),
        Status = (VolumeStatus)Enum.Parse(typeof(VolumeStatus), r.GetString(4)),
        Backend = r.GetString(5),
        Location = r.GetString(6),
        ReplicationStatus = ReplicationStatusText.FromCinder(r.GetString(7)),
        ReplicationExtendedStatus = NullableString(r, 8),
        ReplicationDriverData = NullableString(r, 9),
        ReplicaBackend = NullableString(r, 10),
        ReplicaLocation = NullableString(r, 11),
        ReplicaFenced = r.GetInt64(12) != 0,
        SyncGeneration = r.GetInt64(13),
        LastSyncStartedAt = NullableString(r, 14) is { } started ? DbText.ParseTime(started) : null,
        LastSyncCompletedAt = NullableString(r, 15) is { } completed ? DbText.ParseTime(completed) : null,
        SourceReplica = NullableString(r, 16),
        CreatedAt = DbText.ParseTime(r.GetString(17)),
        FailoverSource = NullableString(r, 18),
        FenceStamp = NullableString(r, 19),
        GroupName = NullableString(r, 20),
        GroupRound = r.IsDBNull(21) ? null : r.GetInt64(21),
    };

    private static BackendRecord ReadBackend(SqliteDataReader r) => new()
    {
        Name = r.GetString(0),
        Driver = r.GetString(1),
        Path = r.GetString(2),
        ReplicationPartner = NullableString(r, 3),
        DeclaredCapabilities = DbText.ParseJsonObject(r.GetString(4)),
        CreatedAt = DbText.ParseTime(r.GetString(5)),
        FrozenAt = NullableString(r, 6) is { } frozen ? DbText.ParseTime(frozen) : null,
        FailedOverAt = NullableString(r, 7) is { } failed ? DbText.ParseTime(failed) : null,
    };

    private VolumeTypeRecord ReadVolumeType(SqliteDataReader r)
    {
        var name = r.GetString(0);
        return new VolumeTypeRecord
        {
            Name = name,
            Description = NullableString(r, 1),
            CreatedAt = DbText.ParseTime(r.GetString(2)),
            ExtraSpecs = Query("SELECT key, value FROM volume_type_extra_specs WHERE volume_type = $type ORDER BY key;",
                    s => (Key: s.GetString(0), Value: s.GetString(1)), ("$type", name))
                .ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase),
        };
    }

    private static string? NullableString(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return Translated(() => command.ExecuteNonQuery());
    }

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return Translated(() =>
        {
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }

            return rows;
        });
    }

    private SqliteCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private T Translated<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SqliteException ex)
        {
            throw SqliteStateStore.Translate(ex, _connection.DataSource);
        }
    }
}
