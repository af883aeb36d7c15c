using System;
using System.Globalization;

namespace Replication.Agent;

/// <summary>
/// LocalFile's change stamp (size and modification time) misses a write made within the file system's timestamp
/// granularity of the last one; the engine knows that for LocalFile, but not for a copy behind an agent. So the agent
/// hands out a file's stamp only once the file has been quiet for a while; until then every stamp it gives is new, and
/// the engine reads the copy rather than trusting it unchanged.
/// </summary>
public static class ChangeStamps
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(2);

    public static string Settled(string stamp, DateTimeOffset now)
    {
        var parts = stamp.Split(':');
        var quiet = parts.Length == 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var modifiedTicks) &&
            now.UtcTicks - modifiedTicks > QuietPeriod.Ticks;
        return quiet ? stamp : $"{stamp}:unsettled-{Guid.NewGuid():N}";
    }
}
