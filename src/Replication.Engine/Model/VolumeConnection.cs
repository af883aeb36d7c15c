namespace Replication.Engine.Model;

/// <summary>What a hypervisor needs to attach the volume (Cinder's connection info for a file-backed volume).</summary>
public sealed class VolumeConnection
{
    public string VolumeName { get; init; } = "";

    public string Backend { get; init; } = "";

    /// <summary>Cinder's driver_volume_type, "file" for LocalFile volumes.</summary>
    public string DriverVolumeType { get; init; } = "";

    /// <summary>Cinder's connection data of that type, as the driver gives it ("path" for a file; "target_portal", "target_iqn" for iSCSI; ...).</summary>
    public NamedValues<string> Data { get; init; } = new(new System.Collections.Generic.Dictionary<string, string>());

    /// <summary>The file a hypervisor attaches, for a file connection (Data's "path"); empty for other types.</summary>
    public string Path { get; init; } = "";

    /// <summary>The NBD URL the volume is served at (nbd://address:port/name) while it is exported; null otherwise.</summary>
    public string? NbdUrl { get; init; }

    public long SizeBytes { get; init; }

    public override string ToString() => Path.Length > 0 ? Path : $"{DriverVolumeType}:{Backend}/{VolumeName}";
}
