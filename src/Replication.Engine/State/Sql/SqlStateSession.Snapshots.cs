using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;

namespace Replication.Engine.State.Sql;

/// <summary>Volume snapshots (schema 13): one row per snapshot a backend keeps.</summary>
internal abstract partial class SqlStateSession
{
    private const string SnapshotColumns = "id, name, volume_id, description, backend, location, size_bytes, bytes_held, method, created_at";

    public IReadOnlyList<SnapshotRecord> ListSnapshots(Guid? volumeId) => volumeId is { } id
        ? Query($"SELECT {SnapshotColumns} FROM volume_snapshots WHERE volume_id = @id ORDER BY created_at, {ByName("name")};", ReadSnapshot, ("id", id.ToString()))
        : Query($"SELECT {SnapshotColumns} FROM volume_snapshots ORDER BY created_at, {ByName("name")};", ReadSnapshot);

    public SnapshotRecord? FindSnapshot(string name) =>
        Query($"SELECT {SnapshotColumns} FROM volume_snapshots WHERE name = @name;", ReadSnapshot, ("name", name)).FirstOrDefault();

    public void InsertSnapshot(SnapshotRecord snapshot) => Run(
        $"INSERT INTO volume_snapshots ({SnapshotColumns}) VALUES (@id, @name, @volume, @description, @backend, @location, @size, @bytes, @method, @created);",
        ("id", snapshot.Id.ToString()), ("name", snapshot.Name), ("volume", snapshot.VolumeId.ToString()), ("description", snapshot.Description),
        ("backend", snapshot.Backend), ("location", snapshot.Location), ("size", snapshot.SizeBytes), ("bytes", snapshot.BytesHeld),
        ("method", snapshot.Method), ("created", DbText.Time(snapshot.CreatedAt)));

    public void DeleteSnapshot(Guid id) => Run("DELETE FROM volume_snapshots WHERE id = @id;", ("id", id.ToString()));

    private static SnapshotRecord ReadSnapshot(DbDataReader r) => new()
    {
        Id = Guid.Parse(r.GetString(0)),
        Name = r.GetString(1),
        VolumeId = Guid.Parse(r.GetString(2)),
        Description = r.IsDBNull(3) ? null : r.GetString(3),
        Backend = r.GetString(4),
        Location = r.GetString(5),
        SizeBytes = r.GetInt64(6),
        BytesHeld = r.GetInt64(7),
        Method = r.GetString(8),
        CreatedAt = DbText.ParseTime(r.GetString(9)),
    };
}
