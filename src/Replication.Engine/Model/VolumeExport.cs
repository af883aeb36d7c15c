using System;

namespace Replication.Engine.Model;

/// <summary>A volume served over NBD by an export service: where clients attach it, and how its writes are handled now.</summary>
public sealed class VolumeExport
{
    public Guid VolumeId { get; init; }

    public string VolumeName { get; init; } = "";

    /// <summary>The NBD export name clients ask for: the volume's name.</summary>
    public string ExportName { get; init; } = "";

    /// <summary>What a client attaches, as QEMU writes it: nbd://address:port/name.</summary>
    public string Url { get; init; } = "";

    public string Address { get; init; } = "";

    public int Port { get; init; }

    /// <summary>The process of the export service, on <see cref="Host"/>.</summary>
    public int ProcessId { get; init; }

    public string Host { get; init; } = "";

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>How writes are handled now (<see cref="ExportMode"/>, as a word); null when the service cannot be asked (on another host, or not answering).</summary>
    public string? Mode { get; init; }

    /// <summary>Clients connected now; null when the service cannot be asked (it is dead, or on another host).</summary>
    public int? Clients { get; init; }

    /// <summary>Bytes in blocks written since the last sync round (what the next round copies); null when the service cannot be asked.</summary>
    public long? DirtyBytes { get; init; }

    public override string ToString() => Url;
}
