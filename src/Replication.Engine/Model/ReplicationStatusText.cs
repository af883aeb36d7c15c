using System;
using System.Collections.Generic;

namespace Replication.Engine.Model;

/// <summary>Cinder's spelling of each status ("active-stopped"), used in state and in messages.</summary>
public static class ReplicationStatusText
{
    public static readonly IReadOnlyList<ReplicationStatus> All = (ReplicationStatus[])Enum.GetValues(typeof(ReplicationStatus));

    /// <summary>Reads a status in Cinder's spelling or as the enum name, in any case; null when it is neither.</summary>
    public static ReplicationStatus? TryParse(string text)
    {
        var trimmed = text.Trim();
        foreach (var status in All)
        {
            if (string.Equals(trimmed, status.ToCinder(), StringComparison.OrdinalIgnoreCase) || string.Equals(trimmed, status.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return status;
            }
        }

        return null;
    }

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
