using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using Replication.Engine.Model;
using Replication.Engine.Replication;

namespace Replication.Engine.State.Sql;

/// <summary>
/// One transaction on a SQL state store: the statements both stores run, written once in the SQL that SQLite and
/// PostgreSQL share (named parameters, ON CONFLICT upserts, RETURNING, COLLATE NOCASE). Every value is a parameter, so
/// names and specs never become SQL. A store supplies its connection, how it orders names and how its errors read.
/// </summary>
internal abstract partial class SqlStateSession : IStateSession
{
    private const string VolumeColumns =
        "id, name, size_bytes, volume_type, status, backend, location, replication_status, replication_extended_status, " +
        "replication_driver_data, replica_backend, replica_location, replica_fenced, sync_generation, last_sync_started_at, " +
        "last_sync_completed_at, source_replica, created_at, failover_source, fence_stamp, group_name, group_round, " +
        "last_sync_raced, verification_failure, verification_failed_at, damaged_blocks, pending_change, fence_epoch";

    private const string VolumeValues =
        "@id, @name, @size, @type, @status, @backend, @location, @rstatus, @rext, @rdata, @rbackend, @rlocation, @rfenced, @gen, @started, @completed, @source, @at, @failover, @fence, @group, @round, " +
        "@raced, @vfailure, @vfailedat, @damaged, @pending, @epoch";

    // Every backend carries its store's identity; read in the same statement, it is never stale (a copy replaces it).
    private const string BackendColumns = "name, driver, path, replication_partner, declared_capabilities, created_at, frozen_at, failed_over_at, settings, (SELECT id FROM store_identity)";

    private const string LeaseColumns = "volume_id, holder, actor, operation, acquired_at, expires_at, host, pid, process_started_at";

    private const string GroupRoundColumns = "token, group_name, round, started_at, committed_at";

    private const string DrTestColumns =
        "volume_name, volume_type, replica_backend, outcome, reason, verified, blocks_compared, blocks_mismatched, sync_generation, data_timestamp, " +
        "data_age_ms, rpo_target_ms, time_to_ready_ms, test_volume_name, test_volume_kept, started_at, duration_ms, actor";

    private const string DrTestValues = "@volume, @type, @replica, @outcome, @reason, @verified, @compared, @mismatched, @gen, @data, @age, @rpo, @ready, @test, @kept, @started, @duration, @actor";

    /// <summary>
    /// Per volume, its rounds since @since: a round's event has a time (round_ms) and, unless it failed, bytes. One pass
    /// over the round events of the period, through their index by time. PostgreSQL sums bigints as numeric: the casts
    /// keep every column a bigint in both stores.
    /// </summary>
    internal const string RoundFiguresQuery =
        "SELECT volume_id, COUNT(round_bytes), COUNT(*) - COUNT(round_bytes), CAST(COALESCE(SUM(round_bytes), 0) AS BIGINT), COALESCE(MAX(round_bytes), 0), " +
        "CAST(COALESCE(SUM(CASE WHEN round_bytes IS NOT NULL THEN round_ms END), 0) AS BIGINT), COALESCE(MAX(CASE WHEN round_bytes IS NOT NULL THEN round_ms END), 0) " +
        "FROM events WHERE round_ms IS NOT NULL AND volume_id IS NOT NULL AND at >= @since GROUP BY volume_id;";

    private const string EventColumns = "at, actor, operation, object_type, object_name, volume_id, from_status, to_status, message, round_bytes, round_ms";

    private const string EventValues = "@at, @actor, @op, @type, @name, @volume, @from, @to, @message, @rbytes, @rms";

    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly StateWorkCounts _work;

    protected SqlStateSession(DbConnection connection, DbTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
        // A SQLite connection's data source is the state file; a server's needs the database's name too.
        _work = StateWork.For(connection is Microsoft.Data.Sqlite.SqliteConnection ? connection.DataSource : $"{connection.DataSource}/{connection.Database}");
    }

    public Guid StoreIdentity() => Guid.Parse(Query("SELECT id FROM store_identity;", r => r.GetString(0)).Single());

    public void Commit() => Translated(() =>
    {
        _transaction.Commit();
        return 0;
    }, duringCommit: true);

    public virtual void Dispose()
    {
        _transaction.Dispose();
        _connection.Dispose();
    }

    /// <summary>An ORDER BY term that sorts names as SQLite's NOCASE does (ASCII lower-cased, then byte order).</summary>
    protected abstract string ByName(string column);

    /// <summary>An ORDER BY term in plain byte order, whatever the database's default collation.</summary>
    protected abstract string ByBytes(string column);

    /// <summary>True for what this store's provider throws when the database cannot do the statement (or the commit).</summary>
    protected abstract bool IsStoreFailure(Exception error, bool duringCommit);

    /// <summary>The engine's state-store error for a provider's failure.</summary>
    protected abstract Exception Translate(Exception error, bool duringCommit);

    /// <summary>Brings a store's own counters level with rows that a copy wrote with their ids.</summary>
    protected virtual void AfterImport()
    {
    }

    public BackendRecord? FindBackend(string name) =>
        Query($"SELECT {BackendColumns} FROM backends WHERE name = @name;", ReadBackend, ("name", name)).FirstOrDefault();

    public IReadOnlyList<BackendRecord> ListBackends() =>
        Query($"SELECT {BackendColumns} FROM backends ORDER BY {ByName("name")};", ReadBackend);

    public void InsertBackend(BackendRecord backend) => Run(
        "INSERT INTO backends (name, driver, path, replication_partner, declared_capabilities, created_at, settings) VALUES (@name, @driver, @path, @partner, @caps, @at, @settings);",
        ("name", backend.Name), ("driver", backend.Driver), ("path", backend.Path), ("partner", backend.ReplicationPartner),
        ("caps", DbText.Json(backend.DeclaredCapabilities)), ("at", DbText.Time(backend.CreatedAt)), ("settings", DbText.Json(backend.Settings)));

    public void UpdateBackend(BackendRecord backend) => Run(
        "UPDATE backends SET replication_partner = @partner, declared_capabilities = @caps, settings = @settings, frozen_at = @frozen, failed_over_at = @failed WHERE name = @name;",
        ("name", backend.Name), ("partner", backend.ReplicationPartner), ("caps", DbText.Json(backend.DeclaredCapabilities)), ("settings", DbText.Json(backend.Settings)),
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
        InsertExtraSpecs(volumeType);
    }

    public void UpdateVolumeType(VolumeTypeRecord volumeType)
    {
        Run("UPDATE volume_types SET description = @description WHERE name = @name;", ("name", volumeType.Name), ("description", volumeType.Description));
        Run("DELETE FROM volume_type_extra_specs WHERE volume_type = @type;", ("type", volumeType.Name));
        InsertExtraSpecs(volumeType);
    }

    private void InsertExtraSpecs(VolumeTypeRecord volumeType)
    {
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
        var filter = VolumeFilter(query);
        return Query($"SELECT {VolumeColumns} FROM volumes{filter.Where} ORDER BY {ByName("name")};", ReadVolume, filter.Parameters);
    }

    public void InsertVolume(VolumeRecord volume) =>
        Run($"INSERT INTO volumes ({VolumeColumns}) VALUES ({VolumeValues});", VolumeParameters(volume));

    public void UpdateVolume(VolumeRecord volume)
    {
        var changed = Run(
            "UPDATE volumes SET name = @name, size_bytes = @size, volume_type = @type, status = @status, backend = @backend, location = @location, " +
            "replication_status = @rstatus, replication_extended_status = @rext, replication_driver_data = @rdata, replica_backend = @rbackend, " +
            "replica_location = @rlocation, replica_fenced = @rfenced, sync_generation = @gen, last_sync_started_at = @started, " +
            "last_sync_completed_at = @completed, source_replica = @source, created_at = @at, failover_source = @failover, fence_stamp = @fence, group_name = @group, group_round = @round, " +
            "last_sync_raced = @raced, verification_failure = @vfailure, verification_failed_at = @vfailedat, damaged_blocks = @damaged, " +
            "pending_change = @pending, fence_epoch = @epoch WHERE id = @id;",
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
        "ON CONFLICT (volume_id) DO UPDATE SET block_size = excluded.block_size, volume_size = excluded.volume_size, hashes = excluded.hashes;",
        ("id", volumeId.ToString()), ("bs", (long)map.BlockSize), ("vs", map.VolumeSize), ("hashes", BlockMapStorage.Encode(map)));

    public void DeleteBlockMap(Guid volumeId) => Run("DELETE FROM block_maps WHERE volume_id = @id;", ("id", volumeId.ToString()));

    public VolumeLease? FindLease(Guid volumeId) =>
        Query($"SELECT {LeaseColumns} FROM volume_leases WHERE volume_id = @id;", ReadLease, ("id", volumeId.ToString())).FirstOrDefault();

    public void PutLease(VolumeLease lease) => Run(
        $"INSERT INTO volume_leases ({LeaseColumns}) VALUES (@id, @holder, @actor, @op, @at, @expires, @host, @pid, @started) " +
        "ON CONFLICT (volume_id) DO UPDATE SET holder = excluded.holder, actor = excluded.actor, operation = excluded.operation, acquired_at = excluded.acquired_at, " +
        "expires_at = excluded.expires_at, host = excluded.host, pid = excluded.pid, process_started_at = excluded.process_started_at;",
        ("id", lease.VolumeId.ToString()), ("holder", lease.Holder), ("actor", lease.Actor), ("op", lease.Operation), ("host", lease.Host), ("pid", (long)lease.ProcessId),
        ("started", DbText.Time(lease.ProcessStartedAt)), ("at", DbText.Time(lease.AcquiredAt)), ("expires", DbText.Time(lease.ExpiresAt)));

    public bool RenewLease(Guid volumeId, string holder, DateTimeOffset expiresAt) => Run(
        "UPDATE volume_leases SET expires_at = @expires WHERE volume_id = @id AND holder = @holder;",
        ("id", volumeId.ToString()), ("holder", holder), ("expires", DbText.Time(expiresAt))) == 1;

    public void DeleteLease(Guid volumeId, string holder) => Run(
        "DELETE FROM volume_leases WHERE volume_id = @id AND holder = @holder;", ("id", volumeId.ToString()), ("holder", holder));

    public long InsertDrTest(DrTestResult test) =>
        Scalar($"INSERT INTO dr_tests ({DrTestColumns}) VALUES ({DrTestValues}) RETURNING id;", DrTestParameters(test));

    public void UpdateDrTest(DrTestResult test) => Run(
        "UPDATE dr_tests SET volume_name = @volume, volume_type = @type, replica_backend = @replica, outcome = @outcome, reason = @reason, verified = @verified, " +
        "blocks_compared = @compared, blocks_mismatched = @mismatched, sync_generation = @gen, data_timestamp = @data, data_age_ms = @age, rpo_target_ms = @rpo, " +
        "time_to_ready_ms = @ready, test_volume_name = @test, test_volume_kept = @kept, started_at = @started, duration_ms = @duration, actor = @actor WHERE id = @id;",
        DrTestParameters(test).Append(("id", test.TestId)).ToArray());

    public IReadOnlyList<DrTestResult> ListDrTests(DrTestQuery query)
    {
        var filter = new SqlFilter();
        filter.Add("volume_name = @name", "name", query.VolumeName);
        filter.Add("started_at >= @since", "since", query.Since is { } since ? DbText.Time(since) : null);
        filter.Add("outcome = @outcome", "outcome", query.Outcome?.ToString());
        return Query(Newest($"SELECT id, {DrTestColumns} FROM dr_tests{filter.Where}", query.Newest, filter), ReadDrTest, filter.Parameters);
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
        "ON CONFLICT (token) DO UPDATE SET group_name = excluded.group_name, round = excluded.round, started_at = excluded.started_at, committed_at = excluded.committed_at;",
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
        "ON CONFLICT (group_name) DO UPDATE SET started_at = excluded.started_at, planned = excluded.planned;",
        ("group", groupName), ("started", DbText.Time(startedAt)), ("planned", planned ? 1L : 0L));

    public void DeleteGroupPromotion(string groupName) => Run("DELETE FROM group_promotions WHERE group_name = @group;", ("group", groupName));

    public void AppendEvent(ReplicationEvent e) => Run($"INSERT INTO events ({EventColumns}) VALUES ({EventValues});", EventParameters(e));

    public IReadOnlyList<ReplicationEvent> ListEvents(EventQuery query)
    {
        var filter = new SqlFilter();
        filter.Add("object_name = @name COLLATE NOCASE", "name", query.ObjectName);
        filter.Add("at >= @since", "since", query.Since is { } since ? DbText.Time(since) : null);
        filter.Add("at < @until", "until", query.Until is { } until ? DbText.Time(until) : null);
        filter.Add("operation = @op COLLATE NOCASE", "op", query.Operation);
        filter.Add("actor = @actor COLLATE NOCASE", "actor", query.Actor);
        filter.Add("to_status = @to", "to", query.ToStatus?.ToCinder());
        return Query(Newest($"SELECT id, {EventColumns} FROM events{filter.Where}", query.Newest, filter), ReadEvent, filter.Parameters);
    }

    public IReadOnlyList<RoundFigures> ListRoundFigures(DateTimeOffset since) => Query(
        RoundFiguresQuery,
        r => new RoundFigures
        {
            VolumeId = Guid.Parse(r.GetString(0)),
            Succeeded = r.GetInt64(1),
            Failed = r.GetInt64(2),
            BytesWritten = r.GetInt64(3),
            LargestBytesWritten = r.GetInt64(4),
            Seconds = r.GetInt64(5) / 1000.0,
            LongestSeconds = r.GetInt64(6) / 1000.0,
        },
        ("since", DbText.Time(since)));

    /// <summary>Runs a statement in this transaction; returns the rows it changed.</summary>
    internal int Run(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return Translated(() => command.ExecuteNonQuery());
    }

    /// <summary>The first column of the first row, as a whole number (counts, versions, new ids).</summary>
    internal long Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return Translated(() => Convert.ToInt64(command.ExecuteScalar()));
    }

    /// <summary>Oldest first; with a limit, the newest N of them (still oldest first).</summary>
    private static string Newest(string select, int? newest, SqlFilter filter)
    {
        if (newest is not { } count)
        {
            return select + " ORDER BY id;";
        }

        filter.AddParameter("newest", (long)count);
        return $"SELECT * FROM ({select} ORDER BY id DESC LIMIT @newest) AS newest ORDER BY id;";
    }

    private static SqlFilter VolumeFilter(VolumeQuery query)
    {
        var filter = new SqlFilter();
        filter.AddIn("name", "name", query.Names);
        filter.Add("volume_type = @type COLLATE NOCASE", "type", query.VolumeType);
        filter.Add("(backend = @backend COLLATE NOCASE OR replica_backend = @backend COLLATE NOCASE)", "backend", query.Backend);
        filter.Add("group_name = @group COLLATE NOCASE", "group", query.GroupName);
        filter.Add("source_replica = @source COLLATE NOCASE", "source", query.SourceReplica);
        filter.Add("replication_status = @rstatus", "rstatus", query.ReplicationStatus?.ToCinder());
        return filter;
    }

    private List<T> Query<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters)
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

            _work.RowsRead(rows.Count);
            return rows;
        });
    }

    private DbCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        _work.Statement();
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private T Translated<T>(Func<T> action, bool duringCommit = false)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (IsStoreFailure(ex, duringCommit))
        {
            throw Translate(ex, duringCommit);
        }
    }
}
