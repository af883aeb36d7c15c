using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;

namespace Replication.Engine.State.Sql;

/// <summary>Recovery points (schema 12): one row per point a volume keeps.</summary>
internal abstract partial class SqlStateSession
{
    private const string PointColumns = "volume_id, round, data_timestamp, recorded_at, bytes_held, raced, group_name, group_round";

    public IReadOnlyList<RecoveryPointRecord> ListRecoveryPoints(Guid volumeId) =>
        Query($"SELECT {PointColumns} FROM recovery_points WHERE volume_id = @id ORDER BY round;", ReadPoint, ("id", volumeId.ToString()));

    public IReadOnlyList<RecoveryPointRecord> ListAllRecoveryPoints() =>
        Query($"SELECT {PointColumns} FROM recovery_points ORDER BY {ByBytes("volume_id")}, round;", ReadPoint);

    public IReadOnlyList<RecoveryPointSummary> ListRecoveryPointSummaries(IReadOnlyCollection<Guid> volumeIds)
    {
        // In chunks, so no statement carries more parameters than a store takes.
        const int Chunk = 500;
        var summaries = new List<RecoveryPointSummary>();
        var ids = volumeIds.Select(id => id.ToString()).ToList();
        for (var start = 0; start < ids.Count; start += Chunk)
        {
            var filter = new SqlFilter();
            filter.AddIn("volume_id", "id", ids.GetRange(start, Math.Min(Chunk, ids.Count - start)));
            // Times are stored in one fixed-width UTC form, so their text orders as they do.
            summaries.AddRange(Query(
                $"SELECT volume_id, COUNT(*), MIN(data_timestamp), MAX(data_timestamp), SUM(bytes_held) FROM recovery_points{filter.Where} GROUP BY volume_id;",
                r => new RecoveryPointSummary
                {
                    VolumeId = Guid.Parse(r.GetString(0)),
                    Count = (int)r.GetInt64(1),
                    Oldest = DbText.ParseTime(r.GetString(2)),
                    Newest = DbText.ParseTime(r.GetString(3)),
                    BytesHeld = Convert.ToInt64(r.GetValue(4), System.Globalization.CultureInfo.InvariantCulture),
                },
                filter.Parameters));
        }

        return summaries;
    }

    public void PutRecoveryPoint(RecoveryPointRecord point) => Run(
        $"INSERT INTO recovery_points ({PointColumns}) VALUES (@id, @round, @data, @recorded, @bytes, @raced, @group, @groupRound) " +
        "ON CONFLICT (volume_id, round) DO UPDATE SET data_timestamp = excluded.data_timestamp, recorded_at = excluded.recorded_at, " +
        "bytes_held = excluded.bytes_held, raced = excluded.raced, group_name = excluded.group_name, group_round = excluded.group_round;",
        ("id", point.VolumeId.ToString()), ("round", point.Round), ("data", DbText.Time(point.DataTimestamp)), ("recorded", DbText.Time(point.RecordedAt)),
        ("bytes", point.BytesHeld), ("raced", point.Raced ? 1L : 0L), ("group", point.GroupName), ("groupRound", point.GroupRound));

    public void DeleteRecoveryPoint(Guid volumeId, long round) =>
        Run("DELETE FROM recovery_points WHERE volume_id = @id AND round = @round;", ("id", volumeId.ToString()), ("round", round));

    public long? FindRecoveryRollback(Guid volumeId) =>
        Query("SELECT round FROM recovery_rollbacks WHERE volume_id = @id;", r => (long?)r.GetInt64(0), ("id", volumeId.ToString())).FirstOrDefault();

    public void PutRecoveryRollback(Guid volumeId, long round, DateTimeOffset startedAt) => Run(
        "INSERT INTO recovery_rollbacks (volume_id, round, started_at) VALUES (@id, @round, @started) " +
        "ON CONFLICT (volume_id) DO UPDATE SET round = excluded.round, started_at = excluded.started_at;",
        ("id", volumeId.ToString()), ("round", round), ("started", DbText.Time(startedAt)));

    public void DeleteRecoveryRollback(Guid volumeId) => Run("DELETE FROM recovery_rollbacks WHERE volume_id = @id;", ("id", volumeId.ToString()));

    private static RecoveryPointRecord ReadPoint(DbDataReader r) => new()
    {
        VolumeId = Guid.Parse(r.GetString(0)),
        Round = r.GetInt64(1),
        DataTimestamp = DbText.ParseTime(r.GetString(2)),
        RecordedAt = DbText.ParseTime(r.GetString(3)),
        BytesHeld = r.GetInt64(4),
        Raced = r.GetInt64(5) != 0,
        GroupName = r.IsDBNull(6) ? null : r.GetString(6),
        GroupRound = r.IsDBNull(7) ? null : r.GetInt64(7),
    };
}
