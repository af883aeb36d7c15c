using System;

namespace Replication.Engine.Export;

/// <summary>How one export of a running service stands now, as the service reports it.</summary>
internal sealed class ExportState
{
    public Guid VolumeId { get; set; }

    public string VolumeName { get; set; } = "";

    public int Clients { get; set; }

    public long DirtyBytes { get; set; }

    public Model.ExportMode Mode { get; set; }
}
