using System;
using System.Data.Common;
using System.Linq;
using Replication.Engine.Model;

namespace Replication.Engine.State.Sql;

/// <summary>Rows to records and records to parameters, column for column, the same in every SQL store.</summary>
internal abstract partial class SqlStateSession
{
    private static (string, object?)[] VolumeParameters(VolumeRecord v) => new (string, object?)[]
    {
        ("id", v.Id.ToString()), ("name", v.Name), ("size", v.SizeBytes), ("type", v.VolumeType), ("status", v.Status.ToString()),
        ("backend", v.Backend), ("location", v.Location), ("rstatus", v.ReplicationStatus.ToCinder()),
        ("rext", v.ReplicationExtendedStatus), ("rdata", v.ReplicationDriverData), ("rbackend", v.ReplicaBackend),
        ("rlocation", v.ReplicaLocation), ("rfenced", v.ReplicaFenced ? 1L : 0L), ("gen", v.SyncGeneration),
        ("started", DbText.TimeOrNull(v.LastSyncStartedAt)), ("completed", DbText.TimeOrNull(v.LastSyncCompletedAt)),
        ("source", v.SourceReplica), ("at", DbText.Time(v.CreatedAt)), ("failover", v.FailoverSource), ("fence", v.FenceStamp),
        ("group", v.GroupName), ("round", v.GroupRound), ("raced", v.LastSyncRaced ? 1L : 0L), ("vfailure", v.VerificationFailure),
        ("vfailedat", DbText.TimeOrNull(v.VerificationFailedAt)), ("damaged", v.DamagedBlocks),
        ("pending", v.PendingChange?.ToJson()), ("epoch", v.FenceEpoch),
    };

    private static VolumeRecord ReadVolume(DbDataReader r) => new()
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
        LastSyncStartedAt = NullableTime(r, 14),
        LastSyncCompletedAt = NullableTime(r, 15),
        SourceReplica = NullableString(r, 16),
        CreatedAt = DbText.ParseTime(r.GetString(17)),
        FailoverSource = NullableString(r, 18),
        FenceStamp = NullableString(r, 19),
        GroupName = NullableString(r, 20),
        GroupRound = r.IsDBNull(21) ? null : r.GetInt64(21),
        LastSyncRaced = r.GetInt64(22) != 0,
        VerificationFailure = NullableString(r, 23),
        VerificationFailedAt = NullableTime(r, 24),
        DamagedBlocks = r.GetInt64(25),
        PendingChange = PendingChange.FromJson(NullableString(r, 26)),
        FenceEpoch = r.GetInt64(27),
    };

    private static BackendRecord ReadBackend(DbDataReader r) => new()
    {
        Name = r.GetString(0),
        Driver = r.GetString(1),
        Path = r.GetString(2),
        ReplicationPartner = NullableString(r, 3),
        DeclaredCapabilities = DbText.ParseJsonObject(r.GetString(4)),
        CreatedAt = DbText.ParseTime(r.GetString(5)),
        FrozenAt = NullableTime(r, 6),
        FailedOverAt = NullableTime(r, 7),
        Settings = DbText.ParseTextMap(r.GetString(8)),
        StoreId = Guid.Parse(r.GetString(9)),
    };

    private static VolumeTypeRecord ReadVolumeTypeRow(DbDataReader r) => new()
    {
        Name = r.GetString(0),
        Description = NullableString(r, 1),
        CreatedAt = DbText.ParseTime(r.GetString(2)),
    };

    /// <summary>A type's extra specs, read once its own row's reader is closed (a PostgreSQL connection reads one result at a time).</summary>
    private VolumeTypeRecord WithExtraSpecs(VolumeTypeRecord volumeType) => new()
    {
        Name = volumeType.Name,
        Description = volumeType.Description,
        CreatedAt = volumeType.CreatedAt,
        ExtraSpecs = Query($"SELECT key, value FROM volume_type_extra_specs WHERE volume_type = @type ORDER BY {ByBytes("key")};",
                s => (Key: s.GetString(0), Value: s.GetString(1)), ("type", volumeType.Name))
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase),
    };

    private static VolumeLease ReadLease(DbDataReader r) => new()
    {
        VolumeId = Guid.Parse(r.GetString(0)),
        Holder = r.GetString(1),
        Actor = r.GetString(2),
        Operation = r.GetString(3),
        AcquiredAt = DbText.ParseTime(r.GetString(4)),
        ExpiresAt = DbText.ParseTime(r.GetString(5)),
        Host = r.GetString(6),
        ProcessId = (int)r.GetInt64(7),
        ProcessStartedAt = DbText.ParseTime(r.GetString(8)),
    };

    private static GroupRecord ReadGroup(DbDataReader r) => new()
    {
        Name = r.GetString(0),
        Description = NullableString(r, 1),
        CreatedAt = DbText.ParseTime(r.GetString(2)),
    };

    private static GroupRound ReadGroupRound(DbDataReader r) => new()
    {
        Token = Guid.Parse(r.GetString(0)),
        GroupName = r.GetString(1),
        Round = r.GetInt64(2),
        StartedAt = DbText.ParseTime(r.GetString(3)),
        CommittedAt = NullableTime(r, 4),
    };

    private static (string, object?)[] DrTestParameters(DrTestResult t) => new (string, object?)[]
    {
        ("volume", t.VolumeName), ("type", t.VolumeType), ("replica", t.ReplicaBackend), ("outcome", t.Outcome), ("reason", t.Reason),
        ("verified", t.Verified), ("compared", t.BlocksCompared), ("mismatched", t.BlocksMismatched), ("gen", t.SyncGeneration),
        ("data", DbText.TimeOrNull(t.DataTimestamp)), ("age", Milliseconds(t.DataAgeSeconds)), ("rpo", Milliseconds(t.RpoTargetSeconds)), ("ready", Milliseconds(t.TimeToReadySeconds)),
        ("test", t.TestVolumeName), ("kept", t.TestVolumeKept ? 1L : 0L), ("started", DbText.Time(t.StartedAt)), ("duration", Milliseconds(t.DurationSeconds)), ("actor", t.Actor),
    };

    private static DrTestResult ReadDrTest(DbDataReader r) => new()
    {
        TestId = r.GetInt64(0),
        VolumeName = r.GetString(1),
        VolumeType = r.GetString(2),
        ReplicaBackend = NullableString(r, 3),
        OutcomeValue = (DrTestOutcome)Enum.Parse(typeof(DrTestOutcome), r.GetString(4)),
        Reason = r.GetString(5),
        Verified = r.GetString(6),
        BlocksCompared = r.GetInt64(7),
        BlocksMismatched = r.GetInt64(8),
        SyncGeneration = r.IsDBNull(9) ? null : r.GetInt64(9),
        DataTimestamp = NullableTime(r, 10),
        DataAgeSeconds = ReadSeconds(r, 11),
        RpoTargetSeconds = ReadSeconds(r, 12),
        TimeToReadySeconds = ReadSeconds(r, 13),
        TestVolumeName = NullableString(r, 14),
        TestVolumeKept = r.GetInt64(15) != 0,
        StartedAt = DbText.ParseTime(r.GetString(16)),
        DurationSeconds = ReadSeconds(r, 17),
        Actor = r.GetString(18),
    };

    private static (string, object?)[] EventParameters(ReplicationEvent e) => new (string, object?)[]
    {
        ("at", DbText.Time(e.Time)), ("actor", e.Actor), ("op", e.Operation), ("type", e.ObjectType), ("name", e.ObjectName),
        ("volume", e.VolumeId?.ToString()), ("from", e.FromStatus), ("to", e.ToStatus), ("message", e.Message),
        ("rbytes", e.RoundBytesWritten), ("rms", Milliseconds(e.RoundSeconds)),
    };

    private static ReplicationEvent ReadEvent(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Time = DbText.ParseTime(r.GetString(1)),
        Actor = r.GetString(2),
        Operation = r.GetString(3),
        ObjectType = r.GetString(4),
        ObjectName = r.GetString(5),
        VolumeId = r.IsDBNull(6) ? null : Guid.Parse(r.GetString(6)),
        FromStatus = NullableString(r, 7),
        ToStatus = NullableString(r, 8),
        Message = r.GetString(9),
        RoundBytesWritten = r.IsDBNull(10) ? null : r.GetInt64(10),
        RoundSeconds = ReadSeconds(r, 11),
    };

    private static object? Milliseconds(double? seconds) => seconds is { } s ? (long)Math.Round(s * 1000) : null;

    private static double? ReadSeconds(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetInt64(ordinal) / 1000.0;

    private static string? NullableString(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static DateTimeOffset? NullableTime(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : DbText.ParseTime(r.GetString(ordinal));
}
