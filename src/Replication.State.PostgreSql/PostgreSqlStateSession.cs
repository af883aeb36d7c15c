using System;
using System.Collections.Generic;
using System.Linq;
using Npgsql;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.State;

namespace Replication.State.PostgreSql;

/// <summary>
/// One PostgreSQL transaction, statement for statement what the SQLite store does; every value is a parameter, so
/// names and specs never become SQL. Name columns compare without case (collation 'nocase') and sort as SQLite's
/// NOCASE does (lower-cased, byte order), so both stores list in the same order.
/// </summary>
internal sealed partial class PostgreSqlStateSession : IStateSession
{
    private const string VolumeColumns =
        "id, name, size_bytes, volume_type, status, backend, location, replication_status, replication_extended_status, " +
        "replication_driver_data, replica_backend, replica_location, replica_fenced, sync_generation, last_sync_started_at, " +
        "last_sync_completed_at, source_replica, created_at, failover_source, fence_stamp, group_name, group_round";

    private const string BackendColumns = "name, driver, path, replication_partner, declared_capabilities, created_at, frozen_at, failed_over_at";

    private const string GroupRoundColumns = "token, group_name, round, started_at, committed_at";

    private const string DrTestColumns =
        "volume_name, volume_type, replica_backend, outcome, reason, verified, blocks_compared, blocks_mismatched, sync_generation, data_timestamp, " +
        "data_age_ms, rpo_target_ms, time_to_ready_ms, test_volume_name, test_volume_kept, started_at, duration_ms, actor";

    private const string DrTestValues = "@volume, @type, @replica, @outcome, @reason, @verified, @compared, @mismatched, @gen, @data, @age, @rpo, @ready, @test, @kept, @started, @duration, @actor";

    private const string EventColumns = "at, actor, operation, object_type, object_name, volume_id, from_status, to_status, message";

    private const string EventValues = "@at, @actor, @op, @type, @name, @volume, @from, @to, @message";

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _location;

    public PostgreSqlStateSession(NpgsqlConnection connection, NpgsqlTransaction transaction, string location)
    {
        _connection = connection;
        _transaction = transaction;
        _location = location;
    }

    public void Commit()
    {
        try
        {
            _transaction.Commit();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or System.IO.IOException)
        {
            throw PostgreSqlFailures.Translate(ex, _location, duringCommit: true);
        }
    }

    public void Dispose()
    {
        // On a broken connection there is nothing to roll back: the server already did when the connection dropped.
        try
        {
            _transaction.Dispose();
        }
        catch (Exception ex) when (ex is NpgsqlException or System.IO.IOException or InvalidOperationException)
        {
        }

        _connection.Dispose();
    }

    public BackendRecord? FindBackend(string name) =>
        Query($"SELECT {BackendColumns} FROM backends WHERE name = @name;", ReadBackend, ("name", name)).FirstOrDefault();

    public IReadOnlyList<BackendRecord> ListBackends() =>
        Query($"SELECT {BackendColumns} FROM backends ORDER BY {ByName("name")};", ReadBackend);

    public void InsertBackend(BackendRecord backend) => Run(
        "INSERT INTO backends (name, driver, path, replication_partner, declared_capabilities, created_at) VALUES (@name, @driver, @path, @partner, @caps, @at);",
        ("name", backend.Name), ("driver", backend.Driver), ("path", backend.Path), ("partner", backend.ReplicationPartner),
        ("caps", DbText.Json(backend.DeclaredCapabilities)), ("at", DbText.Time(backend.CreatedAt)));

    public void UpdateBackend(BackendRecord backend) => Run(
        "UPDATE backends SET replication_partner = @partner, declared_capabilities = @caps, frozen_at = @frozen, failed_over_at = @failed WHERE name = @name;",
        ("name", backend.Name), ("partner", backend.ReplicationPartner), ("caps", DbText.Json(backend.DeclaredCapabilities)),
        ("frozen", DbText.TimeOrNull(backend.FrozenAt)), ("failed", DbText.TimeOrNull(backend.FailedOverAt)));

    public void DeleteBackend(string name) => Run("DELETE FROM backends WHERE name = @name;", ("name", name));

    public VolumeTypeRecord? FindVolumeType(string name) =>
        Query("SELECT name, description, created_at FROM volume_types WHERE name = @name;", ReadVolumeTypeRow, ("name", name))
            .Select(WithExtraSpecs).FirstOrDefault();

    public IReadOnlyList<VolumeTypeRecord> ListVolumeTypes() =>
        Query($"SELECT name, description, created_at FROM volume_types ORDER BY {ByName("name")};", ReadVolumeTypeRow).Select(WithExtraSpecs).ToList();

    public void InsertVolumeType(VolumeTypeRecord volumeType)
    {
        Run("INSERT INTO volume_types (name, description, created_at) VALUES (@name, @description, @at);",
            ("name", volumeType.Name), ("description", volumeType.Description), ("at", DbText.Time(volumeType.CreatedAt)));
        foreach (var spec in volumeType.ExtraSpecs)
        {
            Run("INSERT INTO volume_type_extra_specs (volume_type, key, value) VALUES (@type, @key, @value);",
                ("type", volumeType.Name), ("key", spec.Key), ("value", spec.Value));
        }
    }

    public void DeleteVolumeType(string name) => Run("DELETE FROM volume_types WHERE name = @name;", ("name", name));

    public VolumeRecord? FindVolume(string name) =>
        Query($"SELECT {VolumeColumns} FROM volumes WHERE name = @name;", ReadVolume, ("name", name)).FirstOrDefault();

    public VolumeRecord? FindVolume(Guid id) =>
        Query($"SELECT {VolumeColumns} FROM volumes WHERE id = @id;", ReadVolume, ("id", id.ToString())).FirstOrDefault();

    public IReadOnlyList<VolumeRecord> ListVolumes(VolumeQuery query)
    {
        var (where, parameters) = VolumeFilter(query);
        return Query($"SELECT {VolumeColumns} FROM volumes{where} ORDER BY {ByName("name")};", ReadVolume, parameters);
    }

    public int CountVolumes(VolumeQuery query)
    {
        var (where, parameters) = VolumeFilter(query);
        return (int)Scalar<long>($"SELECT COUNT(*) FROM volumes{where};", parameters);
    }

    public void InsertVolume(VolumeRecord volume) => Run(
        $"INSERT INTO volumes ({VolumeColumns}) VALUES (@id, @name, @size, @type, @status, @backend, @location, @rstatus, @rext, @rdata, @rbackend, @rlocation, @rfenced, @gen, @started, @completed, @source, @at, @failover, @fence, @group, @round);",
        VolumeParameters(volume));

    public void UpdateVolume(VolumeRecord volume)
    {
        var changed = Run(
            "UPDATE volumes SET name = @name, size_bytes = @size, volume_type = @type, status = @status, backend = @backend, location = @location, " +
            "replication_status = @rstatus, replication_extended_status = @rext, replication_driver_data = @rdata, replica_backend = @rbackend, " +
            "replica_location = @rlocation, replica_fenced = @rfenced, sync_generation = @gen, last_sync_started_at = @started, " +
            "last_sync_completed_at = @completed, source_replica = @source, created_at = @at, failover_source = @failover, fence_stamp = @fence, group_name = @group, group_round = @round WHERE id = @id;",
            VolumeParameters(volume));
        if (changed != 1)
        {
            throw new InvalidOperationException($"Volume {volume.Id} vanished inside a write transaction.");
        }
    }

    public void DeleteVolume(Guid id) => Run("DELETE FROM volumes WHERE id = @id;", ("id", id.ToString()));

    public BlockMap? LoadBlockMap(Guid volumeId) =>
        Query("SELECT block_size, volume_size, hashes FROM block_maps WHERE volume_id = @id;",
            r => BlockMapStorage.Decode((int)r.GetInt64(0), r.GetInt64(1), r.GetFieldValue<byte[]>(2)), ("id", volumeId.ToString())).FirstOrDefault();

    public void SaveBlockMap(Guid volumeId, BlockMap map) => Run(
        "INSERT INTO block_maps (volume_id, block_size, volume_size, hashes) VALUES (@id, @bs, @vs, @hashes) " +
        "ON CONFLICT (volume_id) DO UPDATE SET block_size = EXCLUDED.block_size, volume_size = EXCLUDED.volume_size, hashes = EXCLUDED.hashes;",
        ("id", volumeId.ToString()), ("bs", (long)map.BlockSize), ("vs", map.VolumeSize), ("hashes", BlockMapStorage.Encode(map)));

    public void DeleteBlockMap(Guid volumeId) => Run("DELETE FROM block_maps WHERE volume_id = @id;", ("id", volumeId.ToString()));

    public VolumeLease? FindLease(Guid volumeId) =>
        Query("SELECT volume_id, holder, actor, operation, acquired_at, expires_at, host, pid, process_started_at FROM volume_leases WHERE volume_id = @id;",
            ReadLease, ("id", volumeId.ToString())).FirstOrDefault();

    public void PutLease(VolumeLease lease) => Run(
        "INSERT INTO volume_leases (volume_id, holder, actor, operation, acquired_at, expires_at, host, pid, process_started_at) VALUES (@id, @holder, @actor, @op, @at, @expires, @host, @pid, @started) " +
        "ON CONFLICT (volume_id) DO UPDATE SET holder = EXCLUDED.holder, actor = EXCLUDED.actor, operation = EXCLUDED.operation, acquired_at = EXCLUDED.acquired_at, " +
        "expires_at = EXCLUDED.expires_at, host = EXCLUDED.host, pid = EXCLUDED.pid, process_started_at = EXCLUDED.process_started_at;",
        ("id", lease.VolumeId.ToString()), ("holder", lease.Holder), ("actor", lease.Actor), ("op", lease.Operation), ("host", lease.Host), ("pid", (long)lease.ProcessId),
        ("started", DbText.Time(lease.ProcessStartedAt)), ("at", DbText.Time(lease.AcquiredAt)), ("expires", DbText.Time(lease.ExpiresAt)));

    public bool RenewLease(Guid volumeId, string holder, DateTimeOffset expiresAt) => Run(
        "UPDATE volume_leases SET expires_at = @expires WHERE volume_id = @id AND holder = @holder;",
        ("id", volumeId.ToString()), ("holder", holder), ("expires", DbText.Time(expiresAt))) == 1;

    public void DeleteLease(Guid volumeId, string holder) => Run(
        "DELETE FROM volume_leases WHERE volume_id = @id AND holder = @holder;", ("id", volumeId.ToString()), ("holder", holder));

    public long InsertDrTest(DrTestResult test) =>
        Scalar<long>($"INSERT INTO dr_tests ({DrTestColumns}) VALUES ({DrTestValues}) RETURNING id;", DrTestParameters(test));

    public void UpdateDrTest(DrTestResult test) => Run(
        "UPDATE dr_tests SET volume_name = @volume, volume_type = @type, replica_backend = @replica, outcome = @outcome, reason = @reason, verified = @verified, " +
        "blocks_compared = @compared, blocks_mismatched = @mismatched, sync_generation = @gen, data_timestamp = @data, data_age_ms = @age, rpo_target_ms = @rpo, " +
        "time_to_ready_ms = @ready, test_volume_name = @test, test_volume_kept = @kept, started_at = @started, duration_ms = @duration, actor = @actor WHERE id = @id;",
        DrTestParameters(test).Append(("id", test.TestId)).ToArray());

    public IReadOnlyList<DrTestResult> ListDrTests(DrTestQuery query)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object?)>();
        if (query.VolumeName is { } name)
        {
            conditions.Add("volume_name = @name");
            parameters.Add(("name", name));
        }

        if (query.Since is { } since)
        {
            conditions.Add("started_at >= @since");
            parameters.Add(("since", DbText.Time(since)));
        }

        if (query.Outcome is { } outcome)
        {
            conditions.Add("outcome = @outcome");
            parameters.Add(("outcome", outcome.ToString()));
        }

        return Query(Newest($"SELECT id, {DrTestColumns} FROM dr_tests{Where(conditions)}", query.Newest, parameters), ReadDrTest, parameters.ToArray());
    }

    public GroupRecord? FindGroup(string name) =>
        Query("SELECT name, description, created_at FROM replication_groups WHERE name = @name;", ReadGroup, ("name", name)).FirstOrDefault();

    public IReadOnlyList<GroupRecord> ListGroups() =>
        Query($"SELECT name, description, created_at FROM replication_groups ORDER BY {ByName("name")};", ReadGroup);

    public void InsertGroup(GroupRecord group) => Run(
        "INSERT INTO replication_groups (name, description, created_at) VALUES (@name, @description, @at);",
        ("name", group.Name), ("description", group.Description), ("at", DbText.Time(group.CreatedAt)));

    public void DeleteGroup(string name)
    {
        Run("DELETE FROM group_rounds WHERE group_name = @name;", ("name", name));
        Run("DELETE FROM replication_groups WHERE name = @name;", ("name", name));
    }

    public void PutGroupRound(GroupRound round) => Run(
        $"INSERT INTO group_rounds ({GroupRoundColumns}) VALUES (@token, @group, @round, @started, @committed) " +
        "ON CONFLICT (token) DO UPDATE SET group_name = EXCLUDED.group_name, round = EXCLUDED.round, started_at = EXCLUDED.started_at, committed_at = EXCLUDED.committed_at;",
        ("token", round.Token.ToString()), ("group", round.GroupName), ("round", round.Round), ("started", DbText.Time(round.StartedAt)),
        ("committed", DbText.TimeOrNull(round.CommittedAt)));

    public GroupRound? FindGroupRound(Guid token) =>
        Query($"SELECT {GroupRoundColumns} FROM group_rounds WHERE token = @token;", ReadGroupRound, ("token", token.ToString())).FirstOrDefault();

    public GroupRound? LastCommittedGroupRound(string groupName) =>
        Query($"SELECT {GroupRoundColumns} FROM group_rounds WHERE group_name = @group AND committed_at IS NOT NULL ORDER BY round DESC LIMIT 1;",
            ReadGroupRound, ("group", groupName)).FirstOrDefault();

    public IReadOnlyList<GroupRound> ListUncommittedGroupRounds(string groupName) =>
        Query($"SELECT {GroupRoundColumns} FROM group_rounds WHERE group_name = @group AND committed_at IS NULL ORDER BY round;",
            ReadGroupRound, ("group", groupName));

    public void DeleteGroupRound(Guid token) => Run("DELETE FROM group_rounds WHERE token = @token;", ("token", token.ToString()));

    public DateTimeOffset? FindGroupPromotion(string groupName) =>
        Query("SELECT started_at FROM group_promotions WHERE group_name = @group;", r => (DateTimeOffset?)DbText.ParseTime(r.GetString(0)), ("group", groupName)).FirstOrDefault();

    public void PutGroupPromotion(string groupName, DateTimeOffset startedAt, bool planned) => Run(
        "INSERT INTO group_promotions (group_name, started_at, planned) VALUES (@group, @started, @planned) " +
        "ON CONFLICT (group_name) DO UPDATE SET started_at = EXCLUDED.started_at, planned = EXCLUDED.planned;",
        ("group", groupName), ("started", DbText.Time(startedAt)), ("planned", planned ? 1L : 0L));

    public void DeleteGroupPromotion(string groupName) => Run("DELETE FROM group_promotions WHERE group_name = @group;", ("group", groupName));

    public void AppendEvent(ReplicationEvent e) => Run($"INSERT INTO events ({EventColumns}) VALUES ({EventValues});", EventParameters(e));

    public IReadOnlyList<ReplicationEvent> ListEvents(EventQuery query)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object?)>();
        if (query.ObjectName is { } name)
        {
            conditions.Add("object_name = @name COLLATE nocase");
            parameters.Add(("name", name));
        }

        if (query.Since is { } since)
        {
            conditions.Add("at >= @since");
            parameters.Add(("since", DbText.Time(since)));
        }

        return Query(Newest($"SELECT id, {EventColumns} FROM events{Where(conditions)}", query.Newest, parameters), ReadEvent, parameters.ToArray());
    }

    /// <summary>Runs a statement in this transaction; returns the rows it changed.</summary>
    internal int Run(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return Translated(() => command.ExecuteNonQuery());
    }

    internal T Scalar<T>(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return Translated(() => (T)command.ExecuteScalar()!);
    }

    /// <summary>SQLite's NOCASE order: lower-cased, then byte for byte (names are ASCII).</summary>
    private static string ByName(string column) => $"lower({column}) COLLATE \"C\"";

    private static string Where(List<string> conditions) => conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);

    /// <summary>Oldest first; with a limit, the newest N of them (still oldest first).</summary>
    private static string Newest(string select, int? newest, List<(string, object?)> parameters)
    {
        if (newest is not { } count)
        {
            return select + " ORDER BY id;";
        }

        parameters.Add(("newest", (long)count));
        return $"SELECT * FROM ({select} ORDER BY id DESC LIMIT @newest) AS newest ORDER BY id;";
    }

    private static (string Where, (string, object?)[] Parameters) VolumeFilter(VolumeQuery query)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object?)>();
        if (query.VolumeType is { } type)
        {
            conditions.Add("volume_type = @type");
            parameters.Add(("type", type));
        }

        if (query.Backend is { } backend)
        {
            conditions.Add("(backend = @backend OR replica_backend = @backend)");
            parameters.Add(("backend", backend));
        }

        if (query.GroupName is { } group)
        {
            conditions.Add("group_name = @group");
            parameters.Add(("group", group));
        }

        if (query.SourceReplica is { } source)
        {
            conditions.Add("source_replica = @source COLLATE nocase");
            parameters.Add(("source", source));
        }

        return (Where(conditions), parameters.ToArray());
    }

    private List<T> Query<T>(string sql, Func<NpgsqlDataReader, T> read, params (string Name, object? Value)[] parameters)
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

    private NpgsqlCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, _connection, _transaction);
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
        catch (Exception ex) when (ex is NpgsqlException or System.IO.IOException or TimeoutException)
        {
            throw PostgreSqlFailures.Translate(ex, _location);
        }
    }
}
