using System;
using System.Globalization;
using Replication.Drivers;

namespace Replication.Engine.Preflight;

/// <summary>
/// The rules for the link between a pair's sites, as a driver that replicates site to site measured it
/// (<see cref="IPartnershipDiagnostics"/>): the far side reachable (an error when not: every round fails), its clock
/// within the tolerance of the near side's (a warning), and how long an initial sync of the backend's volumes takes at
/// the measured rate (information).
/// </summary>
public static class LinkChecks
{
    /// <summary>The link's rate in bytes per second; null when the transfer was too small to time.</summary>
    public static double? BytesPerSecond(LinkMeasurement link) =>
        link.Unreachable is null && link.Bytes > 0 && link.TransferTime > TimeSpan.Zero ? link.Bytes / link.TransferTime.TotalSeconds : null;

    public static PreflightResult Reachable(string backend, string partner, LinkMeasurement link)
    {
        var result = new PreflightResult { CheckValue = PreflightCheck.PartnerLink, Backend = backend, SeverityValue = PreflightSeverity.Error };
        if (link.Unreachable is { } why)
        {
            return result with
            {
                Detail = $"'{backend}' at {link.From} cannot reach '{partner}' at {link.To}: {why.TrimEnd('.')}.",
                Advice = $"Check the route and firewall between the sites, '{partner}''s ReplicationAddress, and that each agent pins the other's certificate in PinnedPartners. Every round from '{backend}' fails until then.",
            };
        }

        var rate = BytesPerSecond(link) is { } bytesPerSecond ? $"; {Humane.Bytes(link.Bytes)} arrived in {Humane.Duration(link.TransferTime)}: {Rate(bytesPerSecond)}" : "; the transfer was too short to time";
        return result with { Passed = true, Detail = $"'{backend}' at {link.From} reached '{partner}' at {link.To}: round trip {Milliseconds(link.RoundTrip)}{rate}." };
    }

    public static PreflightResult Clock(string backend, string partner, LinkMeasurement link, TimeSpan tolerance)
    {
        // The offset is known only to within half a round trip: count against the far side only what is beyond that.
        var skew = TimeSpan.FromTicks(Math.Max(0, Math.Abs(link.ClockOffset.Ticks) - (link.RoundTrip.Ticks / 2)));
        var within = skew <= tolerance;
        var direction = link.ClockOffset < TimeSpan.Zero ? "behind" : "ahead of";
        return new PreflightResult
        {
            CheckValue = PreflightCheck.PartnerClockSkew,
            Backend = backend,
            SeverityValue = PreflightSeverity.Warning,
            Passed = within,
            Detail = $"The clock at '{partner}' is {Milliseconds(link.ClockOffset.Duration())} {direction} the clock at '{backend}' (give or take {Milliseconds(TimeSpan.FromTicks(link.RoundTrip.Ticks / 2))}); up to {Humane.Duration(tolerance)} is fine.",
            Advice = within ? "" : "Synchronize the sites' clocks (NTP, chrony): a round's point in time is read from the primary's clock and the replica's lag and recovery points are judged against it.",
        };
    }

    /// <param name="bytes">The data the volumes of <paramref name="backend"/> replicated to <paramref name="partner"/> hold (allocated).</param>
    public static PreflightResult InitialSync(string backend, string partner, int volumes, long bytes, double bytesPerSecond)
    {
        var perGiB = TimeSpan.FromSeconds((1L << 30) / bytesPerSecond);
        var detail = volumes == 0
            ? $"'{backend}' has no volume replicated to '{partner}' yet; at the measured {Rate(bytesPerSecond)}, each GiB of data takes about {Humane.Duration(perGiB)} to sync the first time."
            : $"The {volumes} volume(s) of '{backend}' replicated to '{partner}' hold {Humane.Bytes(bytes)} of data; at the measured {Rate(bytesPerSecond)} an initial sync takes about {Humane.Duration(TimeSpan.FromSeconds(bytes / bytesPerSecond))} ({Humane.Duration(perGiB)} per GiB).";
        return new PreflightResult { CheckValue = PreflightCheck.InitialSync, Backend = backend, SeverityValue = PreflightSeverity.Information, Passed = true, Detail = detail };
    }

    private static string Rate(double bytesPerSecond) => (bytesPerSecond * 8 / 1e6).ToString(bytesPerSecond * 8 / 1e6 >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture) + " Mbit/s";

    private static string Milliseconds(TimeSpan time) => time.TotalMilliseconds.ToString(time.TotalMilliseconds >= 10 ? "0" : "0.##", CultureInfo.InvariantCulture) + " ms";
}
