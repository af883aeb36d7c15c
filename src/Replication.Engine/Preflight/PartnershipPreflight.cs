using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Catalog;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;

namespace Replication.Engine.Preflight;

/// <summary>
/// Checks a backend pair for what would make replication fail or degrade later (Test-ReplicationPartnership): the
/// pairing in state, then each side's storage through its driver, then what the pair's volumes need of each side. Each
/// check is one result. A check that depends on an earlier one that failed (a folder that cannot be reached cannot be
/// written) is left out, so each problem is reported once, where it starts. Only probe files are written.
/// </summary>
public sealed class PartnershipPreflight
{
    /// <summary>File times further than this from this machine's clock defeat the quick check (it trusts a file quiet for 2 s).</summary>
    public static readonly TimeSpan ClockSkewTolerance = TimeSpan.FromSeconds(2);

    /// <summary>The most a link measurement sends from one site to the other, and for how long at most.</summary>
    public const long LinkProbeBytes = 16L << 20;

    public static readonly TimeSpan LinkProbeDuration = TimeSpan.FromSeconds(2);

    /// <summary>The share of a file system that should stay free once the replicas are written.</summary>
    public const double MinimumHeadroom = 0.10;

    private readonly EngineContext _context;

    public PartnershipPreflight(EngineContext context) => _context = context;

    /// <param name="backendName">The backend to check; BackendNotFound when there is none.</param>
    /// <param name="partnerName">The partner to check it with; null for the partner <paramref name="backendName"/> names.</param>
    public IReadOnlyList<PreflightResult> Run(string backendName, string? partnerName, IOperationObserver observer)
    {
        IReadOnlyList<BackendRecord> backends;
        IReadOnlyList<VolumeRecord> volumes;
        using (var session = _context.Store.Begin(write: false))
        {
            backends = session.ListBackends();
            volumes = session.ListVolumes(VolumeQuery.All);
        }

        var backend = BackendCatalog.Find(backends, backendName);
        var wanted = string.IsNullOrWhiteSpace(partnerName) ? backend.ReplicationPartner : partnerName;
        var partner = wanted is null || Same(wanted, backend.Name) ? null : backends.FirstOrDefault(b => Same(b.Name, wanted));
        var results = new List<PreflightResult> { Pairing(backend, wanted, partner) };

        var sides = partner is null ? new[] { backend } : new[] { backend, partner };
        var probes = new Dictionary<string, TimedProbe>(StringComparer.OrdinalIgnoreCase);
        foreach (var side in sides)
        {
            var probe = Probe(side);
            probes[side.Name] = probe;
            observer.Decision($"Probed '{side.Name}' at '{probe.Probe.Location}': " + (probe.Probe.Unreachable ?? (probe.Probe.WriteProblem ?? "reachable and writable") + "."));
            results.AddRange(SideChecks(side, probe));
            if (Diagnostics(side) is { } diagnostics)
            {
                results.Add(CertificateCheck.Judge(side.Name, Certificates(diagnostics, side), _context.Now));
            }
        }

        if (partner is null)
        {
            observer.Decision($"'{backend.Name}' has no partner to check it with, so the checks of the pair (block size, space for replicas) were left out.");
            return results;
        }

        var (mine, theirs) = (probes[backend.Name].Probe, probes[partner.Name].Probe);
        if (mine.Unreachable is null && theirs.Unreachable is null)
        {
            results.AddRange(LinkResults(backend, partner, volumes, observer));
            results.Add(BlockSize(backend, mine, partner, theirs));
            results.AddRange(SpaceChecks(partner, theirs, backend, volumes));
            results.AddRange(SpaceChecks(backend, mine, partner, volumes));
        }
        else
        {
            observer.Decision("A side cannot be reached, so the checks of the pair (block size, space for replicas) were left out.");
        }

        return results;
    }

    private static PreflightResult Pairing(BackendRecord backend, string? wanted, BackendRecord? partner)
    {
        var result = new PreflightResult { CheckValue = PreflightCheck.Pairing, Backend = backend.Name, SeverityValue = PreflightSeverity.Error };
        const string recreate = "A backend names its partner when it is created: while it holds no volume, re-create it (Remove-StorageBackend, then New-StorageBackend -ReplicationPartner).";
        if (wanted is null)
        {
            return result with
            {
                Detail = $"'{backend.Name}' names no replication partner, so its volumes cannot be replicated.",
                Advice = recreate + " Or give -Partner to check it with another backend.",
            };
        }

        if (Same(wanted, backend.Name))
        {
            return result with { Detail = $"'{backend.Name}' cannot be its own replication partner: a replica must be on another backend.", Advice = "Check it with another backend (-Partner)." };
        }

        if (partner is null)
        {
            return result with
            {
                Detail = $"There is no backend named '{wanted}' for '{backend.Name}' to replicate to.",
                Advice = $"Create it: New-StorageBackend -Name {wanted} -Driver {backend.Driver} -Path <folder> -ReplicationPartner {backend.Name}.",
            };
        }

        var problems = new List<string>();
        if (!Same(backend.ReplicationPartner, partner.Name))
        {
            problems.Add($"'{backend.Name}' names {Named(backend.ReplicationPartner)} as its partner, not '{partner.Name}'");
        }

        if (!Same(partner.ReplicationPartner, backend.Name))
        {
            problems.Add($"'{partner.Name}' names {Named(partner.ReplicationPartner)} as its partner, not '{backend.Name}'");
        }

        if (!Same(backend.Driver, partner.Driver))
        {
            problems.Add($"'{backend.Name}' uses the {backend.Driver} driver and '{partner.Name}' the {partner.Driver} driver; partners must use the same one");
        }

        return problems.Count == 0
            ? result with { Passed = true, Detail = $"'{backend.Name}' and '{partner.Name}' name each other as replication partners and both use the {backend.Driver} driver." }
            : result with { Detail = string.Join("; ", problems) + ". Volumes are replicated only between backends that name each other.", Advice = recreate };
    }

    private static IEnumerable<PreflightResult> SideChecks(BackendRecord side, TimedProbe timed)
    {
        var probe = timed.Probe;
        yield return new PreflightResult
        {
            CheckValue = PreflightCheck.FolderReachable,
            Backend = side.Name,
            SeverityValue = PreflightSeverity.Error,
            Passed = probe.Unreachable is null,
            Detail = probe.Unreachable is null ? $"The folder '{probe.Location}' exists and can be listed." : Sentence(probe.Unreachable),
            Advice = probe.Unreachable is null ? "" : $"Mount or restore the folder, or let this account enter it; every sync, promotion and new volume that touches '{side.Name}' fails until then.",
        };
        if (probe.Unreachable is not null)
        {
            yield break;
        }

        yield return new PreflightResult
        {
            CheckValue = PreflightCheck.FolderWritable,
            Backend = side.Name,
            SeverityValue = PreflightSeverity.Error,
            Passed = probe.Writable,
            Detail = probe.Writable ? $"A probe file was written to '{probe.Location}' and removed." : $"Writing to '{probe.Location}' failed: {Sentence(probe.WriteProblem ?? "unknown")}",
            Advice = probe.Writable ? "" : "Give this account write access, clear an immutable flag (lsattr, chattr -i) or remount the file system read-write: syncs, their journals and new volumes all write here.",
        };
        if (!probe.Writable)
        {
            yield break;
        }

        yield return new PreflightResult
        {
            CheckValue = PreflightCheck.SparseFiles,
            Backend = side.Name,
            SeverityValue = PreflightSeverity.Warning,
            Passed = probe.HolesSupported == true,
            Detail = probe.HolesDetail ?? "The sparse probe showed nothing.",
            Advice = probe.HolesSupported == true ? "" : "Use a file system that reports holes (ext4, XFS, Btrfs, tmpfs, NTFS, APFS). Here every sync reads and hashes each whole volume, and volumes may take their full size.",
        };

        if (probe.ProbeFileTime is { } stamped)
        {
            var skew = stamped < timed.Before ? timed.Before - stamped : stamped > timed.After ? stamped - timed.After : TimeSpan.Zero;
            var within = skew <= ClockSkewTolerance;
            var direction = stamped < timed.Before ? "behind" : "ahead of";
            yield return new PreflightResult
            {
                CheckValue = PreflightCheck.ClockSkew,
                Backend = side.Name,
                SeverityValue = PreflightSeverity.Warning,
                Passed = within,
                Detail = skew == TimeSpan.Zero
                    ? $"A probe file got a file time within the {Humane.Duration(timed.After - timed.Before)} this machine's clock took to write it: no skew."
                    : within
                        ? $"A probe file got a file time {Humane.Duration(skew)} {direction} this machine's clock; up to {Humane.Duration(ClockSkewTolerance)} is fine."
                        : $"A probe file got the file time {Time(stamped)} while this machine's clock said {Time(timed.Before)} to {Time(timed.After)}: the file system's clock is {Humane.Duration(skew)} {direction} this machine's, more than {Humane.Duration(ClockSkewTolerance)}.",
                Advice = within ? "" : "Synchronize the clocks of this machine and the file server (NTP, chrony). The quick check that skips unchanged volumes trusts file times; until the clocks agree, use Sync-VolumeReplica -Full.",
            };
        }
    }

    private static PreflightResult BlockSize(BackendRecord backend, BackendProbe mine, BackendRecord partner, BackendProbe theirs)
    {
        var result = new PreflightResult { CheckValue = PreflightCheck.BlockSize, Backend = backend.Name, SeverityValue = PreflightSeverity.Warning };
        if (mine.BlockSize is not { } a || theirs.BlockSize is not { } b)
        {
            var unknown = mine.BlockSize is null ? backend.Name : partner.Name;
            return result with { Detail = $"The block size of the file system of '{unknown}' could not be asked.", Advice = "Compare the block sizes of both file systems by hand (stat -f, fsutil fsinfo ntfsinfo)." };
        }

        return a == b
            ? result with { Passed = true, Detail = $"Both file systems use {Humane.Bytes(a)} blocks." }
            : result with
            {
                Detail = $"The file system of '{backend.Name}' uses {Humane.Bytes(a)} blocks, that of '{partner.Name}' {Humane.Bytes(b)} blocks.",
                Advice = "Put both folders on file systems with the same block size. Replication still works, but holes smaller than the larger block are stored as zeros there, so a replica can take more space than its primary and the free space of the two sides does not compare.",
            };
    }

    /// <summary>What the replicas <paramref name="receiver"/> holds for <paramref name="sender"/> need of its free space.</summary>
    private IEnumerable<PreflightResult> SpaceChecks(BackendRecord receiver, BackendProbe probe, BackendRecord sender, IReadOnlyList<VolumeRecord> volumes)
    {
        var replicated = volumes.Where(v => Same(v.Backend, sender.Name) && Same(v.ReplicaBackend, receiver.Name)).ToList();
        Dictionary<Guid, RecoveryPoints.RecoveryPointPolicy> points;
        long pointsHeld;
        using (var read = _context.Store.Begin(write: false))
        {
            points = replicated.ToDictionary(v => v.Id, v => RecoveryPoints.RecoveryPointLedger.PolicyOf(read, v));
            pointsHeld = replicated.Sum(v => read.ListRecoveryPoints(v.Id).Sum(p => p.BytesHeld));
        }

        var senderDriver = _context.Drivers.Get(sender.Driver);
        var receiverDriver = _context.Drivers.Get(receiver.Driver);
        long primaryData = 0, replicaData = 0, missing = 0, largestRound = 0, growth = 0, provisioned = 0, pointCaps = 0;
        var keepingPoints = points.Values.Any(p => p.KeepsPoints);
        var measured = 0;
        var unmeasured = new List<string>();
        foreach (var volume in replicated)
        {
            var replica = volume.ReplicaLocation is null ? 0 : Allocated(receiverDriver, new VolumeCopy(receiver, volume.ReplicaLocation)) ?? 0;
            replicaData += replica;
            provisioned += volume.SizeBytes;
            // A volume keeping recovery points may also grow its undo logs up to its cap (unbounded without one: counted as its size).
            var cap = points[volume.Id].KeepsPoints ? points[volume.Id].SpaceBytes ?? volume.SizeBytes : 0;
            pointCaps += cap;
            growth += Math.Max(0, volume.SizeBytes - replica) + cap;
            if (Allocated(senderDriver, new VolumeCopy(sender, volume.Location)) is { } primary)
            {
                measured++;
                primaryData += primary;
                var delta = Math.Max(0, primary - replica);
                missing += delta;
                if (volume.ReplicationStatus is ReplicationStatus.Active or ReplicationStatus.ActiveStopped && !volume.ReplicaHoldsOnlyCreationRound)
                {
                    // A consistent replica is updated through a journal beside it: the round's blocks are there twice until
                    // it is applied. (The first round after creation writes the empty replica directly.)
                    // A volume keeping recovery points writes the old contents of those blocks to an undo log first.
                    largestRound = Math.Max(largestRound, points[volume.Id].KeepsPoints ? 2 * delta : delta);
                }
            }
            else
            {
                unmeasured.Add(volume.Name);
            }
        }

        var notMeasured = unmeasured.Count == 0 ? "" : $" The primaries of {unmeasured.Count} volume(s) could not be read, so they are not counted: {string.Join(", ", unmeasured.Take(5))}{(unmeasured.Count > 5 ? ", ..." : "")}.";
        var space = new PreflightResult { CheckValue = PreflightCheck.FreeSpace, Backend = receiver.Name, SeverityValue = PreflightSeverity.Error };
        if (probe.FreeBytes is not { } free)
        {
            yield return space with { Detail = $"The free space of '{receiver.Name}' could not be asked.", Advice = "Check the free space of its file system by hand (df, Get-PSDrive)." };
            yield break;
        }

        // Rounds run one volume at a time and drop their journal when done, so only the largest journal adds to the need.
        var needed = missing + largestRound;
        var fits = needed <= free;
        yield return space with
        {
            Passed = fits,
            Detail = replicated.Count == 0
                ? $"No volume on '{sender.Name}' replicates to '{receiver.Name}' yet; '{receiver.Name}' has {Humane.Bytes(free)} free."
                : $"The replicas of {replicated.Count} volume(s) from '{sender.Name}' need {Humane.Bytes(needed)} more on '{receiver.Name}': {Humane.Bytes(missing)} of data they lack (their primaries hold {Humane.Bytes(primaryData)}, the replicas {Humane.Bytes(replicaData)}) and {Humane.Bytes(largestRound)} for the journal{(keepingPoints ? " and undo log" : "")} of the largest sync round; '{receiver.Name}' has {Humane.Bytes(free)} free" +
                    (pointsHeld > 0 ? $" (recovery points hold {Humane.Bytes(pointsHeld)} of its used space)" : "") + $".{notMeasured}",
            Advice = fits ? "" : $"Free space on '{receiver.Name}' or grow its file system before the next sync: a sync that runs out of space leaves its replica in error. Get-VolumeReplica lists the volumes that replicate there.",
        };

        var roomForAll = growth <= free;
        yield return new PreflightResult
        {
            CheckValue = PreflightCheck.ProvisionedSpace,
            Backend = receiver.Name,
            SeverityValue = PreflightSeverity.Warning,
            Passed = roomForAll,
            Detail = replicated.Count == 0 ? $"No volume on '{sender.Name}' is provisioned to replicate to '{receiver.Name}' yet." : $"If every volume from '{sender.Name}' filled up, their replicas would need {Humane.Bytes(growth)} more on '{receiver.Name}' (provisioned {Humane.Bytes(provisioned)}, held {Humane.Bytes(replicaData)}{(keepingPoints ? $"; {Humane.Bytes(pointCaps)} of it for the recovery points' undo logs up to their caps" : "")}); it has {Humane.Bytes(free)} free.",
            Advice = roomForAll ? "" : $"Volumes are thin, so this holds only while they stay well below their size: watch the free space of '{receiver.Name}', or give it room for the provisioned size.",
        };

        if (!fits || probe.TotalBytes is not { } total || total <= 0)
        {
            yield break;
        }

        var left = free - needed;
        var enough = left >= MinimumHeadroom * total;
        var average = measured == 0 ? 0 : primaryData / measured;
        var more = average > 0 ? $"; room for about {left / average} more volume(s) holding as much data as the average primary ({Humane.Bytes(average)})" : "";
        yield return new PreflightResult
        {
            CheckValue = PreflightCheck.Headroom,
            Backend = receiver.Name,
            SeverityValue = PreflightSeverity.Warning,
            Passed = enough,
            Detail = $"Once the replicas from '{sender.Name}' are written, '{receiver.Name}' has {Humane.Bytes(left)} free, {(100.0 * left / total).ToString("0.#", CultureInfo.InvariantCulture)}% of its {Humane.Bytes(total)}{more}.",
            Advice = enough ? "" : $"Keep at least {(MinimumHeadroom * 100).ToString("0", CultureInfo.InvariantCulture)}% of each side free: new volumes, volumes that grow and the journal of each sync round (its changed blocks) all need room.",
        };
    }

    /// <summary>The link from the backend's site to its partner's, for drivers that replicate site to site and measure it.</summary>
    private IEnumerable<PreflightResult> LinkResults(BackendRecord backend, BackendRecord partner, IReadOnlyList<VolumeRecord> volumes, IOperationObserver observer)
    {
        if (Diagnostics(backend) is not { } diagnostics || !Same(backend.Driver, partner.Driver) || !SiteToSite(backend, partner))
        {
            yield break;
        }

        LinkMeasurement link;
        try
        {
            link = diagnostics.MeasureLink(EngineDriver.Config(backend), EngineDriver.Config(partner), LinkProbeBytes, LinkProbeDuration);
        }
        catch (StorageDriverException ex)
        {
            link = LinkMeasurement.Failed(backend.Name, partner.Name, ex.Message);
        }

        observer.Decision($"Measured the link from '{backend.Name}' to '{partner.Name}': " + (link.Unreachable ?? $"round trip {link.RoundTrip.TotalMilliseconds.ToString("0.##", CultureInfo.InvariantCulture)} ms, {link.Bytes} bytes in {link.TransferTime.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s, clock offset {link.ClockOffset.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)} ms."));
        yield return LinkChecks.Reachable(backend.Name, partner.Name, link);
        if (link.Unreachable is not null)
        {
            yield break;
        }

        yield return LinkChecks.Clock(backend.Name, partner.Name, link, ClockSkewTolerance);
        if (LinkChecks.BytesPerSecond(link) is { } rate)
        {
            var driver = _context.Drivers.Get(backend.Driver);
            var replicated = volumes.Where(v => Same(v.Backend, backend.Name) && Same(v.ReplicaBackend, partner.Name)).ToList();
            var data = replicated.Sum(v => Allocated(driver, new VolumeCopy(backend, v.Location)) ?? 0);
            yield return LinkChecks.InitialSync(backend.Name, partner.Name, replicated.Count, data, rate);
        }
    }

    /// <summary>Rounds between the pair go site to site (two agents), not through this host: only then is there a link between them to measure.</summary>
    private bool SiteToSite(BackendRecord backend, BackendRecord partner)
    {
        try
        {
            return _context.Drivers.Get(backend.Driver).Contract is INativeReplication native && native.CanReplicate(EngineDriver.Config(backend), EngineDriver.Config(partner));
        }
        catch (StorageDriverException)
        {
            return false;
        }
    }

    private IPartnershipDiagnostics? Diagnostics(BackendRecord backend) => _context.Drivers.Get(backend.Driver).Contract as IPartnershipDiagnostics;

    private static BackendCertificates Certificates(IPartnershipDiagnostics diagnostics, BackendRecord backend)
    {
        try
        {
            return diagnostics.Certificates(EngineDriver.Config(backend));
        }
        catch (StorageDriverException ex)
        {
            return new BackendCertificates(Array.Empty<CertificateValidity>(), ex.Message);
        }
    }

    private TimedProbe Probe(BackendRecord backend)
    {
        var driver = _context.Drivers.Get(backend.Driver);
        var before = _context.Now;
        var probe = driver.ProbeBackend(backend);
        return new TimedProbe(probe, before, _context.Now);
    }

    private static long? Allocated(EngineDriver driver, VolumeCopy copy)
    {
        try
        {
            return driver.AllocatedBytes(copy);
        }
        catch (ReplicationException)
        {
            return null;
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string Named(string? backend) => backend is null ? "no backend" : $"'{backend}'";

    private static string Sentence(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1) + (text.EndsWith(".", StringComparison.Ordinal) ? "" : ".");

    /// <summary>A probe and this machine's clock just before and just after it: the probe file was stamped in between.</summary>
    private sealed record TimedProbe(BackendProbe Probe, DateTimeOffset Before, DateTimeOffset After);
}
