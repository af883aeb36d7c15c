using System;
using System.IO;
using System.Text;
using Newtonsoft.Json;
using Replication.Engine.Drivers;

namespace Replication.Engine.Export;

/// <summary>
/// What an export service writes beside a volume it serves (the "export" sidecar): where clients and commands reach it,
/// and which process it is, so that another process can tell a live export from one whose process died. The file is
/// readable by its owner only: it holds the token that admits commands to the service.
/// </summary>
internal sealed record ExportRecord
{
    public Guid VolumeId { get; init; }

    public string VolumeName { get; init; } = "";

    /// <summary>The address and port clients connect to.</summary>
    public string Address { get; init; } = "";

    public int Port { get; init; }

    /// <summary>The service's command port, on 127.0.0.1.</summary>
    public int ControlPort { get; init; }

    public string Token { get; init; } = "";

    public string Host { get; init; } = "";

    public int ProcessId { get; init; }

    public DateTimeOffset ProcessStartedAt { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>True when the export replicates the volume synchronously (it mirrors writes whenever replication is active).</summary>
    public bool Synchronous { get; init; }

    /// <summary>The service's limits on its clients (null in a record of a service from before they were recorded).</summary>
    public ExportLimits? Limits { get; init; }

    /// <summary>True when the process that wrote this record has ended (on this host); the export is gone with it.</summary>
    [JsonIgnore]
    public bool IsDead => ProcessLiveness.IsGone(Host, ProcessId, ProcessStartedAt);

    /// <summary>True when the service runs on this host, where its command port can be reached.</summary>
    [JsonIgnore]
    public bool IsOnThisHost => string.Equals(Host, EngineContext.Host, StringComparison.OrdinalIgnoreCase);

    /// <summary>The record in <paramref name="file"/>, or null when there is none or it cannot be read (then there is no usable export).</summary>
    public static ExportRecord? Read(SidecarFile file)
    {
        try
        {
            return file.ReadAll() is { } bytes ? JsonConvert.DeserializeObject<ExportRecord>(Encoding.UTF8.GetString(bytes)) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the record whole or not at all, readable by its owner only (the driver's sidecar files are).</summary>
    public void Write(SidecarFile file) => file.Replace(Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(this)));

    /// <summary>Removes the record if it is there and still this one (a later service may have replaced it).</summary>
    public void Delete(SidecarFile file)
    {
        if (Read(file) is { } current && current.ProcessId == ProcessId && current.StartedAt == StartedAt)
        {
            file.Delete();
        }
    }
}
