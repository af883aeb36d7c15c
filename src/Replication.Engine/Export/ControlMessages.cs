using System;
using System.Collections.Generic;

namespace Replication.Engine.Export;

/// <summary>A command to an export service, one JSON line on its command port.</summary>
internal sealed class ControlRequest
{
    public string Token { get; set; } = "";

    public string Command { get; set; } = "";

    public string? VolumeName { get; set; }

    public Guid VolumeId { get; set; }

    /// <summary>For Release: the round was recorded, so its frozen blocks are dropped (else merged back).</summary>
    public bool Copied { get; set; }

    /// <summary>Who asks (an actor as in events), for what the service records on their behalf.</summary>
    public string? Actor { get; set; }
}

/// <summary>The service's answer, one JSON line: done, or the engine error that stopped it.</summary>
internal sealed class ControlReply
{
    public string? ErrorId { get; set; }

    public Errors.ErrorKind ErrorKind { get; set; }

    public string? Message { get; set; }

    /// <summary>For Freeze: whether the frozen blocks cover every write since the last round, and whether the replica was written outside rounds.</summary>
    public bool Complete { get; set; }

    public bool ReplicaMirrored { get; set; }

    /// <summary>For Pause: true when the export was mirroring and has paused (and recorded the pause).</summary>
    public bool Paused { get; set; }

    public List<ExportState> Exports { get; set; } = new();
}

/// <summary>The commands a service takes.</summary>
internal static class ControlCommands
{
    public const string Add = nameof(Add);
    public const string Remove = nameof(Remove);
    public const string Status = nameof(Status);
    public const string Freeze = nameof(Freeze);
    public const string Release = nameof(Release);
    public const string Pause = nameof(Pause);
}
