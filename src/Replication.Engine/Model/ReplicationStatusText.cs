using System;

namespace Replication.Engine.Model;

/// <summary>Cinder's spelling of each status ("active-stopped"), used in state and in messages.</summary>
public static class ReplicationStatusText
{
    public static string ToCinder(this ReplicationStatus status) => status switch
    {
        ReplicationStatus.Disabled => "disabled",
        ReplicationStatus.Copying => "copying",
        ReplicationStatus.Active => "active",
        ReplicationStatus.ActiveStopped => "active-stopped",
        ReplicationStatus.Inactive => "inactive",
        ReplicationStatus.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static ReplicationStatus FromCinder(string text) => text switch
    {
        "disabled" => ReplicationStatus.Disabled,
        "copying" => ReplicationStatus.Copying,
        "active" => ReplicationStatus.Active,
        "active-stopped" => ReplicationStatus.ActiveStopped,
        "inactive" => ReplicationStatus.Inactive,
        "error" => ReplicationStatus.Error,
        _ => throw new FormatException($"'{text}' is not a replication status."),
    };
}
