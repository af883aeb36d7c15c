using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Errors;

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

    /// <summary>Reads a status given by the user, in Cinder's spelling or as the enum name; a clear error names the valid words.</summary>
    public static ReplicationStatus Parse(string text) => TryParse(text) ?? throw new ReplicationException(ErrorIds.InvalidReplicationStatus, ErrorKind.InvalidArgument,
        $"'{text}' is not a replication status. Use one of: {string.Join(", ", All.Select(s => s.ToCinder()))}.", text);

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
