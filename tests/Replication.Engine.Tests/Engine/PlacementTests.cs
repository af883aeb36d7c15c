using System;
using System.Collections.Generic;
using System.IO;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// Where volumes land: Cinder's capabilities filter over what backends report (the driver's report, the engine's
/// replication flag, the admin's declared capabilities), then the capacity weigher (most free space, then the name).
/// All backends below share one file system unless a test says otherwise, so their free space ties.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class PlacementTests
{
    [Fact]
    public void ReplicatedType_LandsOnlyOnAPairedBackend_WhileAPlainTypeTakesTheFirstByName()
    {
        using var site = new EngineSite();
        site.AddBackend("a-lone");
        site.AddPairedBackends();
        site.AddReplicatedType();
        site.AddPlainType();

        var replicated = site.CreateVolume("rep", 1 * MiB);
        var plain = site.CreateVolume("plain", 1 * MiB, PlainType);

        Assert.Equal(("dc1", "dc2"), (replicated.Backend, replicated.ReplicaBackend));
        Assert.Equal("a-lone", plain.Backend);
        Assert.Null(plain.ReplicaBackend);
        Assert.Equal(ReplicationStatus.Disabled.ToCinder(), plain.ReplicationStatus);
        Assert.Equal(false, site.Engine.Backends.Get("a-lone").Capabilities["replication"]);
        Assert.Equal(true, site.Engine.Backends.Get("dc1").Capabilities["replication"]);
        Assert.Equal("dc2", site.Engine.Backends.Get("dc1").Capabilities["replication_partner"]);
        Assert.True(File.Exists(site.VolumeFile("dc2", replicated.Id)));
        Assert.False(File.Exists(site.VolumeFile("a-lone", replicated.Id)));
    }

    [Fact]
    public void Pairing_CountsOnlyOnceBothSidesNameEachOther()
    {
        using var site = new EngineSite();
        site.AddBackend("dc1", "dc2");
        Assert.False(site.Engine.Backends.Get("dc1").ReplicationEnabled);

        site.AddBackend("dc2", "dc1");

        Assert.True(site.Engine.Backends.Get("dc1").ReplicationEnabled);
        Assert.True(site.Engine.Backends.Get("dc2").ReplicationEnabled);
    }

    [Fact]
    public void OneWayPairing_MeansNoReplication()
    {
        using var site = new EngineSite();
        site.AddBackend("dc1", "dc2");
        site.AddBackend("dc2", "dc3");
        site.AddBackend("dc3");
        site.AddReplicatedType();
        site.AddPlainType();
        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();

        var error = Refused(ErrorIds.NoValidBackend, () => site.CreateVolume("rep", 1 * MiB));

        Assert.Contains("capabilities:replication", error.Message);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(files, site.SnapshotFolders());
        foreach (var backend in site.Engine.Backends.List())
        {
            Assert.False(backend.ReplicationEnabled, backend.Name);
            Assert.Equal(false, backend.Capabilities["replication"]);
        }

        Assert.Equal("dc1", site.CreateVolume("plain", 1 * MiB, PlainType).Backend);
    }

    [Theory]
    [InlineData("capabilities:features", "<in> dedupe", "gold")]
    [InlineData("capabilities:tier", "<in> ilv", "silver")]
    [InlineData("capabilities:iops", ">= 3000", "gold")]
    [InlineData("capabilities:iops", "<= 1000", "bronze")]
    [InlineData("capabilities:iops", "== 1000", "silver")]
    [InlineData("capabilities:tier", "<or> silver <or> platinum", "silver")]
    [InlineData("capabilities:tier", "s== bronze", "bronze")]
    [InlineData("capabilities:tier", "s!= bronze", "gold")]
    [InlineData("tier", "silver", "silver")]
    [InlineData("capabilities:encrypted", "<is> True", "silver")]
    [InlineData("capabilities:storage_protocol", "s== file", "bronze")]
    public void DeclaredCapabilities_DrivePlacement(string key, string value, string expected)
    {
        using var site = TieredSite();
        site.AddPlainType("t", new Dictionary<string, string> { [key] = value });

        Assert.Equal(expected, site.CreateVolume("v", 1 * MiB, "t").Backend);
    }

    [Fact]
    public void SeveralSpecs_MustAllHold()
    {
        using var site = TieredSite();
        site.AddPlainType("t", new Dictionary<string, string>
        {
            ["capabilities:tier"] = "<or> gold <or> silver",
            ["capabilities:iops"] = "<= 2000",
        });

        Assert.Equal("silver", site.CreateVolume("v", 1 * MiB, "t").Backend);
    }

    [Fact]
    public void NoValidBackend_NamesTheSpecNoBackendMet_AndChangesNothing()
    {
        using var site = TieredSite();
        site.AddPlainType("t", new Dictionary<string, string> { ["capabilities:tier"] = "s== platinum", ["capabilities:iops"] = ">= 100" });
        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();

        var error = Refused(ErrorIds.NoValidBackend, () => site.CreateVolume("v", 1 * MiB, "t"));

        Assert.Contains("capabilities:tier", error.Message);
        Assert.Contains("s== platinum", error.Message);
        Assert.DoesNotContain("no backend meets capabilities:iops", error.Message);
        Assert.Equal(rows, site.SnapshotDatabase());
        Assert.Equal(files, site.SnapshotFolders());
    }

    [Fact]
    public void NoValidBackend_WhenEachSpecHoldsSomewhereButNowhereAll_NamesBoth()
    {
        using var site = TieredSite();
        site.AddPlainType("t", new Dictionary<string, string> { ["capabilities:tier"] = "s== gold", ["capabilities:iops"] = "<= 500" });

        var error = Refused(ErrorIds.NoValidBackend, () => site.CreateVolume("v", 1 * MiB, "t"));

        Assert.Contains("capabilities:tier", error.Message);
        Assert.Contains("capabilities:iops", error.Message);
    }

    [Fact]
    public void NoValidBackend_ForATypeOfTwentyThousandSpecs_NamesTheFirstAndCountsTheRest()
    {
        using var site = TieredSite();
        var specs = new Dictionary<string, string>();
        for (var i = 0; i < 20_000; i++)
        {
            specs[$"capabilities:k{i:D5}"] = "s== v";
        }

        site.AddPlainType("huge", specs);

        var error = Refused(ErrorIds.NoValidBackend, () => site.CreateVolume("v", 1 * MiB, "huge"));

        Assert.Contains("capabilities:k00000", error.Message);
        Assert.DoesNotContain("capabilities:k19999", error.Message);
        Assert.Contains("and 19990 more specs", error.Message);
        Assert.True(error.Message.Length < 2000, $"The message is {error.Message.Length} characters long.");
    }

    [Fact]
    public void NoValidBackend_AmongManyBackends_NamesAFewForEachSpec()
    {
        using var site = new EngineSite();
        for (var i = 0; i < 40; i++)
        {
            site.AddBackend($"b{i:D2}", declared: new Dictionary<string, object?> { ["tier"] = "silver" });
        }

        site.AddPlainType("t", new Dictionary<string, string> { ["capabilities:tier"] = "s== gold" });

        var error = Refused(ErrorIds.NoValidBackend, () => site.CreateVolume("v", 1 * MiB, "t"));

        Assert.Contains("b00", error.Message);
        Assert.DoesNotContain("b39", error.Message);
        Assert.Contains("and 37 more backends", error.Message);
    }

    [Fact]
    public void ReplicaLandsOnThePartnerOfTheChosenBackend()
    {
        using var site = new EngineSite();
        site.AddBackend("dc1", "dc2", new Dictionary<string, object?> { ["tier"] = "silver" });
        site.AddBackend("dc2", "dc1", new Dictionary<string, object?> { ["tier"] = "silver" });
        site.AddBackend("dc3", "dc4", new Dictionary<string, object?> { ["tier"] = "gold" });
        site.AddBackend("dc4", "dc3");
        site.AddReplicatedType("gold", new Dictionary<string, string> { ["capabilities:tier"] = "s== gold" });

        var volume = site.CreateVolume("v", 1 * MiB, "gold");

        Assert.Equal(("dc3", "dc4"), (volume.Backend, volume.ReplicaBackend));
        Assert.True(File.Exists(site.VolumeFile("dc3", volume.Id)));
        Assert.True(File.Exists(site.VolumeFile("dc4", volume.Id)));
        Assert.Equal(ReplicationStatus.Active.ToCinder(), volume.ReplicationStatus);
    }

    [Fact]
    public void ATypeAskingForReplicationByItsOwnSpec_IsReplicatedToo()
    {
        using var site = new EngineSite();
        site.AddBackend("a-lone");
        site.AddPairedBackends();
        var type = site.AddPlainType("own", new Dictionary<string, string> { ["capabilities:replication"] = "<or> True <or> yes" });

        var volume = site.CreateVolume("v", 1 * MiB, "own");

        Assert.True(type.IsReplicated);
        Assert.Equal(("dc1", "dc2"), (volume.Backend, volume.ReplicaBackend));
    }

    [Fact]
    public void MostFreeCapacityWins_OverTheName()
    {
        // Two file systems with different free space: the temp folder's and /dev/shm (tmpfs).
        const string Shm = "/dev/shm";
        Assert.True(Directory.Exists(Shm), "This test needs /dev/shm, a second file system.");
        using var site = new EngineSite();
        var shmFolder = Path.Combine(Shm, "replication-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            var shmFree = new DriveInfo(Shm).AvailableFreeSpace;
            var tempFree = new DriveInfo(site.Root).AvailableFreeSpace;
            Assert.True(Math.Abs(shmFree - tempFree) > (1L << 30), "The two file systems have about the same free space.");

            // The roomier one gets the name that sorts last, so only free space can make it win.
            var shmIsRoomier = shmFree > tempFree;
            site.AddBackend(shmIsRoomier ? "z-roomy" : "a-tight", path: shmFolder);
            site.AddBackend(shmIsRoomier ? "a-tight" : "z-roomy");
            site.AddPlainType();

            var volume = site.CreateVolume("v", 1 * MiB, PlainType);

            Assert.Equal("z-roomy", volume.Backend);
            var roomy = Convert.ToDouble(site.Engine.Backends.Get("z-roomy").Capabilities["free_capacity_gb"], System.Globalization.CultureInfo.InvariantCulture);
            var tight = Convert.ToDouble(site.Engine.Backends.Get("a-tight").Capabilities["free_capacity_gb"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(roomy > tight);
            site.Engine.Volumes.Delete("v", site.Quiet);
        }
        finally
        {
            if (Directory.Exists(shmFolder))
            {
                Directory.Delete(shmFolder, recursive: true);
            }
        }
    }

    /// <summary>Three unpaired backends on one file system, told apart only by what the admin declared.</summary>
    private static EngineSite TieredSite()
    {
        var site = new EngineSite();
        site.AddBackend("gold", declared: new Dictionary<string, object?>
        {
            ["tier"] = "gold",
            ["iops"] = 5000,
            ["features"] = new List<object?> { "snapshots", "dedupe" },
            ["encrypted"] = false,
        });
        site.AddBackend("silver", declared: new Dictionary<string, object?> { ["tier"] = "silver", ["iops"] = 1000L, ["encrypted"] = true });
        site.AddBackend("bronze", declared: new Dictionary<string, object?> { ["tier"] = "bronze", ["iops"] = 200.0 });
        return site;
    }
}
