using System;
using System.Globalization;
using System.Threading;

namespace Replication.Agent;

/// <summary>
/// LocalFile's change stamp (size and modification time) misses a write made within the file system's timestamp
/// granularity of the stamp's time; the engine knows that of LocalFile, but not of a copy behind an agent. So the agent
/// hands out a stamp only once the clock is past the copy's modification time by more than any granularity: every later
/// write then moves the time, and the stamp is exact. A copy written without pause for the whole bounded wait gets a
/// stamp of its own each time, so the engine reads it rather than trusting it unchanged.
/// </summary>
public static class ChangeStamps
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(50);
    private const int MaxWaits = 40;

    public static string? Settled(Func<string?> read)
    {
        for (var wait = 0; wait < MaxWaits; wait++)
        {
            if (read() is not { } stamp)
            {
                return null;
            }

            var age = Age(stamp);
            if (age is null || age >= Settle)
            {
                return stamp;
            }

            Thread.Sleep(Settle - age.Value);
        }

        return read() is { } busy ? $"{busy}:unsettled-{Guid.NewGuid():N}" : null;
    }

    private static TimeSpan? Age(string stamp)
    {
        var parts = stamp.Split(':');
        return parts.Length == 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var modifiedTicks)
            ? TimeSpan.FromTicks(DateTimeOffset.UtcNow.UtcTicks - modifiedTicks)
            : null;
    }
}
