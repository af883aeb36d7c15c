using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Preflight;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Preflight;

/// <summary>
/// Every pre-flight check passing on a healthy pair and failing on real folders that are missing, immutable, full, on a
/// file system without holes, on one with another block size, or stamped by a clock that disagrees. The checks run on
/// an engine whose clock is the wall clock (shifted where a test wants skew), like the one a cmdlet uses.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class PartnershipPreflightTests
{
    private const string Vol = "vol";

    [UnixFact]
    public void A_healthy_pair_passes_every_check_in_order_and_changes_nothing()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume(Vol, 16 * MiB);
        WriteAt(site.PrimaryFile(Vol), 0, RandomBytes((int)MiB, 1));
        site.Sync(Vol);
        var files = site.SnapshotFolders();
        var rows = site.SnapshotDatabase();

        var results = Check(site);

        Assert.All(results, r => Assert.True(r.Passed, $"{r}: {r.Detail}"));
        Assert.All(results, r => Assert.Equal("", r.Advice));
        Assert.Equal(
            new[]
            {
                "Pairing dc1", "FolderReachable dc1", "FolderWritable dc1", "SparseFiles dc1", "ClockSkew dc1",
                "FolderReachable dc2", "FolderWritable dc2", "SparseFiles dc2", "ClockSkew dc2", "BlockSize dc1",
                "FreeSpace dc2", "ProvisionedSpace dc2", "Headroom dc2", "FreeSpace dc1", "ProvisionedSpace dc1", "Headroom dc1",
            },
            results.Select(r => $"{r.Check} {r.Backend}"));
        Assert.Equal(PreflightSeverity.Error, Result(results, PreflightCheck.FolderWritable, "dc2").SeverityValue);
        Assert.Equal(PreflightSeverity.Warning, Result(results, PreflightCheck.ClockSkew, "dc2").SeverityValue);
        Assert.Contains("'dc1' and 'dc2' name each other", Result(results, PreflightCheck.Pairing, "dc1").Detail, StringComparison.Ordinal);
        Assert.Equal(files, site.SnapshotFolders());
        Assert.Equal(rows, site.SnapshotDatabase());
    }

    [UnixFact]
    public void A_partner_that_does_not_exist_fails_Pairing_and_only_the_backend_itself_is_checked()
    {
        using var site = new EngineSite();
        site.AddBackend("dc1", "dc2");

        var results = Check(site);

        var pairing = Failed(results, PreflightCheck.Pairing, "dc1", PreflightSeverity.Error);
        Assert.Contains("no backend named 'dc2'", pairing.Detail, StringComparison.Ordinal);
        Assert.Contains("New-StorageBackend -Name dc2", pairing.Advice, StringComparison.Ordinal);
        Assert.Equal(new[] { "Pairing", "FolderReachable", "FolderWritable", "SparseFiles", "ClockSkew" }, results.Select(r => r.Check.ToString()));
        Assert.All(results.Skip(1), r => Assert.True(r.Passed && r.Backend == "dc1", r.ToString()));
    }

    [UnixFact]
    public void A_pairing_that_is_not_mutual_fails_and_names_both_sides()
    {
        using var site = new EngineSite();
        site.AddBackend("dc1", "dc2");
        site.AddBackend("dc2", "dc3");
        site.AddBackend("dc3", "dc2");

        var results = Check(site);

        var pairing = Failed(results, PreflightCheck.Pairing, "dc1", PreflightSeverity.Error);
        Assert.Contains("'dc2' names 'dc3' as its partner, not 'dc1'", pairing.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("'dc1' names", pairing.Detail, StringComparison.Ordinal);
        // Both exist, so both sides and the pair are still checked.
        Assert.Contains(results, r => r.Check == PreflightCheck.FreeSpace.ToString() && r.Backend == "dc2");
    }

    [UnixFact]
    public void An_explicit_partner_is_checked_against_the_one_the_backend_names()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.AddBackend("dc3");
        site.AddBackend("solo");

        var named = Result(Check(site, "dc1", "dc2"), PreflightCheck.Pairing, "dc1");
        var other = Result(Check(site, "dc1", "dc3"), PreflightCheck.Pairing, "dc1");
        var none = Result(Check(site, "solo"), PreflightCheck.Pairing, "solo");
        var itself = Result(Check(site, "dc1", "DC1"), PreflightCheck.Pairing, "dc1");

        Assert.True(named.Passed, named.Detail);
        Assert.False(other.Passed);
        Assert.Contains("'dc1' names 'dc2' as its partner, not 'dc3'; 'dc3' names no backend as its partner, not 'dc1'", other.Detail, StringComparison.Ordinal);
        Assert.False(none.Passed);
        Assert.Contains("'solo' names no replication partner", none.Detail, StringComparison.Ordinal);
        Assert.False(itself.Passed);
        Assert.Contains("cannot be its own replication partner", itself.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_backend_that_does_not_exist_is_BackendNotFound()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();

        var error = Refused(ErrorIds.BackendNotFound, () => Check(site, "dc9"));

        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
    }

    [UnixFact]
    public void A_missing_folder_fails_FolderReachable_and_no_check_that_needs_the_folder_runs()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        Directory.Delete(site.FolderOf("dc2"), recursive: true);

        var results = Check(site);

        var reachable = Failed(results, PreflightCheck.FolderReachable, "dc2", PreflightSeverity.Error);
        Assert.Contains("does not exist", reachable.Detail, StringComparison.Ordinal);
        Assert.Contains("Mount or restore the folder", reachable.Advice, StringComparison.Ordinal);
        Assert.DoesNotContain(results, r => r.Backend == "dc2" && r.CheckValue != PreflightCheck.FolderReachable);
        Assert.DoesNotContain(results, r => r.CheckValue is PreflightCheck.BlockSize or PreflightCheck.FreeSpace);
        Assert.All(results.Where(r => r.Backend == "dc1"), r => Assert.True(r.Passed, r.ToString()));
        Assert.False(Directory.Exists(site.FolderOf("dc2")), "A check must not create the folder it checks.");
    }

    [UnixFact]
    public void An_immutable_folder_fails_FolderWritable_and_keeps_nothing()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        var before = ListFolder(site.FolderOf("dc2"));
        IReadOnlyList<PreflightResult> results;
        using (new ImmutableFolder(site.FolderOf("dc2")))
        {
            results = Check(site);
        }

        var writable = Failed(results, PreflightCheck.FolderWritable, "dc2", PreflightSeverity.Error);
        Assert.Contains("a probe file could not be written", writable.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("chattr -i", writable.Advice, StringComparison.Ordinal);
        Assert.True(Result(results, PreflightCheck.FolderReachable, "dc2").Passed);
        Assert.DoesNotContain(results, r => r.Backend == "dc2" && r.CheckValue is PreflightCheck.SparseFiles or PreflightCheck.ClockSkew);
        Assert.True(Result(results, PreflightCheck.FolderWritable, "dc1").Passed);
        Assert.Equal(before, ListFolder(site.FolderOf("dc2")));
    }

    [UnixFact]
    public void A_file_system_that_reports_no_holes_fails_SparseFiles()
    {
        using var site = new EngineSite();
        using var ramfs = MountedFolder.Ramfs(Path.Combine(site.Root, "ramfs"));
        site.AddBackend("dc1", "dc2");
        site.AddBackend("dc2", "dc1", path: Path.Combine(ramfs.Path, "dc2"));

        var results = Check(site);

        var sparse = Failed(results, PreflightCheck.SparseFiles, "dc2", PreflightSeverity.Warning);
        Assert.Contains("reported all of a 4 MiB probe file", sparse.Detail, StringComparison.Ordinal);
        Assert.Contains("reads and hashes each whole volume", sparse.Advice, StringComparison.Ordinal);
        Assert.True(Result(results, PreflightCheck.SparseFiles, "dc1").Passed);
        Assert.Equal(new[] { ".replication", ".replication/store" }, ListFolder(Path.Combine(ramfs.Path, "dc2"))); // the layout and its mark only: the probe left nothing
    }

    [UnixFact]
    public void Different_block_sizes_fail_BlockSize_with_the_sizes_statvfs_reports()
    {
        using var site = new EngineSite();
        using var ext4 = MountedFolder.Ext4(Path.Combine(site.Root, "ext4-1k"), blockSize: 1024, sizeMiB: 16);
        site.AddBackend("dc1", "dc2");
        site.AddBackend("dc2", "dc1", path: Path.Combine(ext4.Path, "dc2"));

        var results = Check(site);

        var blockSize = Failed(results, PreflightCheck.BlockSize, "dc1", PreflightSeverity.Warning);
        var dc1 = long.Parse(Native.Run("stat", "-f", "-c", "%s", site.FolderOf("dc1")).Trim(), CultureInfo.InvariantCulture);
        Assert.Equal(4096, dc1);
        Assert.Equal($"The file system of 'dc1' uses {Humane.Bytes(dc1)} blocks, that of 'dc2' 1 KiB blocks.", blockSize.Detail);
        Assert.Contains("same block size", blockSize.Advice, StringComparison.Ordinal);
        var probed = site.Engine.Context.Drivers.Get("LocalFile").ProbeBackend(site.BackendRecord("dc2"));
        Assert.Equal(1024, probed.BlockSize);
    }

    [UnixFact]
    public void Replicas_that_do_not_fit_fail_FreeSpace_and_the_sync_then_fails_as_predicted()
    {
        using var site = new EngineSite();
        using var small = MountedFolder.Tmpfs(Path.Combine(site.Root, "small"), 64);
        site.AddBackend("dc1", "dc2");
        site.AddBackend("dc2", "dc1", path: Path.Combine(small.Path, "dc2"));
        site.AddReplicatedType();
        site.CreateVolume(Vol, 128 * MiB);
        site.Sync(Vol); // past the first round, which writes the empty replica directly: from now on rounds journal
        WriteData(site.PrimaryFile(Vol), 40);

        var results = Check(site);

        var space = Failed(results, PreflightCheck.FreeSpace, "dc2", PreflightSeverity.Error);
        Assert.Contains("need 80 MiB more on 'dc2': 40 MiB of data they lack", space.Detail, StringComparison.Ordinal);
        Assert.Contains("40 MiB for the journal of the largest sync round", space.Detail, StringComparison.Ordinal);
        Failed(results, PreflightCheck.ProvisionedSpace, "dc2", PreflightSeverity.Warning);
        Assert.DoesNotContain(results, r => r.Check == PreflightCheck.Headroom.ToString() && r.Backend == "dc2");
        Assert.True(Result(results, PreflightCheck.FreeSpace, "dc1").Passed);
        Refused(ErrorIds.ReplicaUnwritable, () => site.Sync(Vol));
    }

    [UnixFact]
    public void Room_for_the_data_but_not_the_provisioned_size_warns_and_a_nearly_full_side_fails_Headroom_until_synced()
    {
        using var site = new EngineSite();
        using var small = MountedFolder.Tmpfs(Path.Combine(site.Root, "small"), 64);
        site.AddBackend("dc1", "dc2");
        site.AddBackend("dc2", "dc1", path: Path.Combine(small.Path, "dc2"));
        site.AddReplicatedType();
        site.CreateVolume(Vol, 128 * MiB);
        site.Sync(Vol); // past the first round, which writes the empty replica directly: from now on rounds journal
        WriteData(site.PrimaryFile(Vol), 30);

        var before = Check(site);
        site.Sync(Vol);
        var after = Check(site);

        var space = Result(before, PreflightCheck.FreeSpace, "dc2");
        Assert.True(space.Passed, space.Detail);
        Assert.Contains("need 60 MiB more", space.Detail, StringComparison.Ordinal);
        var provisioned = Failed(before, PreflightCheck.ProvisionedSpace, "dc2", PreflightSeverity.Warning);
        Assert.Contains("would need 128 MiB more on 'dc2' (provisioned 128 MiB, held 0 B)", provisioned.Detail, StringComparison.Ordinal);
        var headroom = Failed(before, PreflightCheck.Headroom, "dc2", PreflightSeverity.Warning);
        Assert.Contains("Keep at least 10%", headroom.Advice, StringComparison.Ordinal);
        Assert.Contains("need 0 B more", Result(after, PreflightCheck.FreeSpace, "dc2").Detail, StringComparison.Ordinal);
        var roomy = Result(after, PreflightCheck.Headroom, "dc2");
        Assert.True(roomy.Passed, roomy.Detail);
        Assert.Contains("room for about 1 more volume(s) holding as much data as the average primary (30 MiB)", roomy.Detail, StringComparison.Ordinal);
    }

    [UnixFact]
    public void FreeSpace_counts_no_journal_for_a_first_round_which_writes_the_empty_replica_directly()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("a", 16 * MiB);
        WriteData(site.PrimaryFile("a"), 3);

        var detail = Result(Check(site), PreflightCheck.FreeSpace, "dc2").Detail;

        Assert.Contains("need 3 MiB more on 'dc2': 3 MiB of data they lack (their primaries hold 3 MiB, the replicas 0 B) and 0 B for the journal", detail, StringComparison.Ordinal);
    }

    [UnixFact]
    public void FreeSpace_counts_what_the_replicas_lack_plus_the_largest_round_journal()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("a", 16 * MiB);
        site.CreateVolume("b", 16 * MiB);
        site.Sync("a"); // past the first rounds, which write the empty replicas directly: from now on rounds journal
        site.Sync("b");
        WriteData(site.PrimaryFile("a"), 2);
        WriteData(site.PrimaryFile("b"), 3);

        var unsynced = Result(Check(site), PreflightCheck.FreeSpace, "dc2").Detail;
        site.Sync("b");
        var halfSynced = Result(Check(site), PreflightCheck.FreeSpace, "dc2").Detail;
        var primary = site.PrimaryFile("a");
        File.Move(primary, primary + ".away");
        var unreadable = Result(Check(site), PreflightCheck.FreeSpace, "dc2").Detail;
        File.Move(primary + ".away", primary);

        Assert.Contains("The replicas of 2 volume(s) from 'dc1' need 8 MiB more on 'dc2': 5 MiB of data they lack (their primaries hold 5 MiB, the replicas 0 B) and 3 MiB for the journal", unsynced, StringComparison.Ordinal);
        Assert.Contains("need 4 MiB more on 'dc2': 2 MiB of data they lack (their primaries hold 5 MiB, the replicas 3 MiB) and 2 MiB for the journal", halfSynced, StringComparison.Ordinal);
        Assert.Contains("The primaries of 1 volume(s) could not be read, so they are not counted: a.", unreadable, StringComparison.Ordinal);
    }

    [UnixTheory]
    [InlineData(10, "behind")]
    [InlineData(-10, "ahead of")]
    public void A_clock_that_disagrees_with_the_file_times_fails_ClockSkew(int secondsAhead, string direction)
    {
        using var site = new EngineSite().WithPairAndReplicatedType();

        var results = Check(site, skew: TimeSpan.FromSeconds(secondsAhead));

        foreach (var side in new[] { "dc1", "dc2" })
        {
            var skew = Failed(results, PreflightCheck.ClockSkew, side, PreflightSeverity.Warning);
            Assert.Matches($"the file system's clock is (9\\.\\d|10(\\.\\d)?) s {direction} this machine's, more than 2 s", skew.Detail);
            Assert.Contains("Sync-VolumeReplica -Full", skew.Advice, StringComparison.Ordinal);
        }
    }

    [UnixFact]
    public void A_skew_within_two_seconds_passes()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();

        var skew = Result(Check(site, skew: TimeSpan.FromSeconds(1)), PreflightCheck.ClockSkew, "dc1");

        Assert.True(skew.Passed, skew.Detail);
        Assert.Contains("behind this machine's clock; up to 2 s is fine", skew.Detail, StringComparison.Ordinal);
    }

    /// <summary>The checks as a cmdlet runs them: an engine on the site's state whose clock is the wall clock, shifted by <paramref name="skew"/>.</summary>
    private static IReadOnlyList<PreflightResult> Check(EngineSite site, string backend = "dc1", string? partner = null, TimeSpan? skew = null)
    {
        var engine = site.Reopen(() => DateTimeOffset.UtcNow + (skew ?? TimeSpan.Zero));
        return new PartnershipPreflight(engine.Context).Run(backend, partner, new RecordingObserver());
    }

    private static PreflightResult Result(IReadOnlyList<PreflightResult> results, PreflightCheck check, string backend) =>
        results.SingleOrDefault(r => r.CheckValue == check && r.Backend == backend)
        ?? throw new Xunit.Sdk.XunitException($"No {check} result for '{backend}' among: {string.Join(", ", results)}");

    private static PreflightResult Failed(IReadOnlyList<PreflightResult> results, PreflightCheck check, string backend, PreflightSeverity severity)
    {
        var result = Result(results, check, backend);
        Assert.False(result.Passed, $"{result} should have failed: {result.Detail}");
        Assert.Equal(severity, result.SeverityValue);
        Assert.NotEqual("", result.Advice);
        return result;
    }

    /// <summary>Writes <paramref name="mebibytes"/> MiB of random data from the start of a volume file.</summary>
    private static void WriteData(string path, int mebibytes)
    {
        for (var i = 0; i < mebibytes; i++)
        {
            WriteAt(path, i * MiB, RandomBytes((int)MiB, i + 1));
        }
    }
}
