using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Export;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Export;

/// <summary>
/// Synchronous replication (replication_type "&lt;in&gt; sync"): an exported volume's writes reach both copies before they
/// are acknowledged; a replica that fails degrades the volume by the type's policy, and a replica that is back gets
/// only the blocks written meanwhile before mirroring resumes.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class SyncReplicationTests : IDisposable
{
    private const long Size = 16 * MiB;
    private const string SyncType = "syncrep";

    private readonly ExportedSite _site = new();

    public void Dispose() => _site.Dispose();

    private EngineSite Site => _site.Site;

    /// <summary>A synced volume of a synchronous type (with <paramref name="failure"/> as its policy), exported: mirroring.</summary>
    private string Mirrored(string? failure = null)
    {
        var specs = new Dictionary<string, string> { [Placement.VolumeTypeSpecs.ReplicationTypeKey] = "<in> sync" };
        if (failure is not null)
        {
            specs[Placement.VolumeTypeSpecs.SyncFailureKey] = failure;
        }

        Site.AddReplicatedType(SyncType, specs);
        Site.CreateVolume("db01", Size, SyncType);
        WriteAt(Site.PrimaryFile("db01"), 0, RandomBytes(4 * (int)MiB, seed: 4));
        Site.Sync("db01");
        var url = _site.Export("db01");
        Assert.Equal(ExportMode.Mirroring.ToString(), Site.Engine.Exports.List().Single().Mode);
        return url;
    }

    [UnixFact]
    public void AnAcknowledgedWrite_IsOnTheReplicaAtOnce_AndARoundHasNothingToRead()
    {
        var url = Mirrored();

        QemuIo.Run(url, "write -P 0x61 8M 64k", "write -f -P 0x62 12M 4k");

        Assert.All(ReadAt(Site.ReplicaFile("db01"), 8 * MiB, Block), b => Assert.Equal(0x61, b));
        Assert.All(ReadAt(Site.ReplicaFile("db01"), 12 * MiB, 4096), b => Assert.Equal(0x62, b));
        var round = Site.Sync("db01");
        Assert.Equal(SyncMode.Mirrored.ToString(), round.Mode);
        Assert.Equal(0, round.BytesRead);
        Assert.Equal(ReplicationStatus.Active.ToCinder(), Site.Replica("db01").Status);
    }

    [UnixFact]
    public void AFailedReplica_DegradesTheVolume_WritesGoOn_AndOnceItIsBackOnlyTheWrittenBlocksAreCopied()
    {
        var url = Mirrored();
        var replica = Site.ReplicaFile("db01");
        var away = Site.ScratchFile("replica-away.img");
        // The replica's backend goes away: its file cannot be opened by the next connection's first mirrored write.
        File.Move(replica, away);

        QemuIo.Run(url, "write -P 0x71 2M 64k", "write -P 0x72 9M 64k");

        var degraded = Site.Replica("db01");
        Assert.Equal(ReplicationStatus.ActiveStopped.ToCinder(), degraded.Status);
        Assert.Contains("Degraded", degraded.ExtendedStatus, StringComparison.Ordinal);
        Assert.Equal(ExportMode.Degraded.ToString(), Site.Engine.Exports.List().Single().Mode);
        Assert.Contains(Site.EventsOf("db01"), e => e.Operation == "SynchronousReplicationDegraded");
        Assert.All(ReadAt(Site.PrimaryFile("db01"), 2 * MiB, Block), b => Assert.Equal(0x71, b));

        File.Move(away, replica);
        ResumeMirror();

        Assert.Equal(ExportMode.Mirroring.ToString(), Site.Engine.Exports.List().Single().Mode);
        Assert.Equal(ReplicationStatus.Active.ToCinder(), Site.Replica("db01").Status);
        // The resync read and wrote only the two blocks written while degraded.
        var resync = Assert.Single(Site.EventsOf("db01"), e => e.Operation == "ResumeSynchronousReplication" && e.Message.StartsWith("TrackedWrites round", StringComparison.Ordinal));
        Assert.Contains("; 2 blocks written", resync.Message, StringComparison.Ordinal);
        AssertSameBytes(Site.PrimaryFile("db01"), replica);
        QemuIo.Run(url, "write -P 0x73 3M 64k");
        Assert.All(ReadAt(replica, 3 * MiB, Block), b => Assert.Equal(0x73, b));
    }

    [UnixFact]
    public void WithTheStopPolicy_AFailedReplica_RefusesWrites_ButReadsAreServed()
    {
        var url = Mirrored(failure: "stop");
        File.Move(Site.ReplicaFile("db01"), Site.ScratchFile("replica-away.img"));

        var (exitCode, output) = QemuIo.Try(url, "write -P 0x71 2M 64k");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Input/output error", output, StringComparison.Ordinal);
        var second = QemuIo.Try(url, "write -P 0x72 5M 64k");

        Assert.NotEqual(0, second.ExitCode);
        Assert.All(ReadAt(Site.PrimaryFile("db01"), 5 * MiB, Block), b => Assert.Equal(0, b));
        Assert.Equal(ExportMode.WritesRefused.ToString(), Site.Engine.Exports.List().Single().Mode);
        Assert.Equal(ReplicationStatus.ActiveStopped.ToCinder(), Site.Replica("db01").Status);
        Assert.Contains("refused", Site.Replica("db01").ExtendedStatus, StringComparison.Ordinal);
        QemuIo.Run(url, "read 0 64k");
    }

    [UnixFact]
    public void DisableReplication_PausesTheMirror_SoLaterWritesStayOnThePrimary()
    {
        var url = Mirrored();

        Site.Disable("db01");
        QemuIo.Run(url, "write -P 0x81 6M 64k");

        Assert.Equal(ReplicationStatus.ActiveStopped.ToCinder(), Site.Replica("db01").Status);
        Assert.Equal(ExportMode.Tracking.ToString(), Site.Engine.Exports.List().Single().Mode);
        Assert.All(ReadAt(Site.ReplicaFile("db01"), 6 * MiB, Block), b => Assert.Equal(0, b));
    }

    [UnixFact]
    public void EnableReplication_AfterAPause_CopiesTheBlocksWrittenMeanwhile_AndTheExportMirrorsAgain()
    {
        var url = Mirrored();
        Site.Disable("db01");
        QemuIo.Run(url, "write -P 0x81 6M 64k");

        var resumed = Site.Enable("db01");
        ResumeMirror();

        Assert.Equal(ReplicationStatus.Active.ToCinder(), resumed.Status);
        Assert.Equal(ExportMode.Mirroring.ToString(), Site.Engine.Exports.List().Single().Mode);
        AssertSameBytes(Site.PrimaryFile("db01"), Site.ReplicaFile("db01"));
        QemuIo.Run(url, "write -P 0x82 7M 64k");
        Assert.All(ReadAt(Site.ReplicaFile("db01"), 7 * MiB, Block), b => Assert.Equal(0x82, b));
    }

    [UnixFact]
    public void BlocksTheMirrorWroteOutsideRounds_AreNotTakenForDamage_ByADrTestOrAnUnplannedPromotion()
    {
        var url = Mirrored();
        QemuIo.Run(url, "write -P 0x91 8M 64k");
        Site.Disable("db01");
        QemuIo.Run(url, "write -P 0x92 9M 64k");
        _site.Service.Remove(Site.Engine.Volumes.Get("db01").Id, Site.Quiet);

        // The replica holds the mirrored write, which no round recorded in the block map: not damage.
        var test = Site.Engine.DrTests.Run("db01", global::Replication.Engine.DrTests.DrTestOptions.Default, Site.Quiet, System.Threading.CancellationToken.None);

        Assert.True(test.Outcome == DrTestOutcome.Passed.ToString(), test.Reason);
        Assert.Equal(0, test.BlocksMismatched);
        Assert.Contains("not judged: a synchronous export wrote them to the replica outside rounds", test.Verified, StringComparison.Ordinal);
        Assert.Null(Site.Replica("db01").VerificationFailure);

        var promotion = Site.Promote("db01", planned: false);

        Assert.Equal((0L, false), (promotion.DamagedBlocks, promotion.ReplicaVerified));
        Assert.All(ReadAt(Site.PrimaryFile("db01"), 8 * MiB, Block), b => Assert.Equal(0x91, b));
        Assert.All(ReadAt(Site.PrimaryFile("db01"), 9 * MiB, Block), b => Assert.Equal(0, b));
    }

    [Fact]
    public void ASyncType_MustAskForReplication_AndAPolicyOnlyTakesContinueOrStop()
    {
        AssertRefused(new() { ["replication_type"] = "<in> sync" }, replicated: false);
        AssertRefused(new() { ["replication_type"] = "<in> sync", ["replication:sync_failure"] = "pause" }, replicated: true);
        AssertRefused(new() { ["replication_type"] = "sometimes" }, replicated: true);
        AssertRefused(new() { ["replication:sync_failure"] = "stop" }, replicated: true);
        Assert.Equal(ReplicationType.Sync.ToString(), Site.AddReplicatedType("plain-sync", new Dictionary<string, string> { ["replication_type"] = "sync" }).ReplicationType);
        Assert.Equal(ReplicationType.Async.ToString(), Site.AddReplicatedType("async", new Dictionary<string, string>()).ReplicationType);
    }

    [Fact]
    public void OnlyBackendsThatReplicate_ReportTheSyncMode_SoASyncTypeIsPlacedOnlyThere()
    {
        Site.AddBackend("lonely");
        Site.AddReplicatedType(SyncType, new Dictionary<string, string> { ["replication_type"] = "<in> sync" });

        Assert.Equal(new[] { "async", "sync" }, Assert.IsAssignableFrom<IEnumerable<string>>(Site.Engine.Backends.Get("dc1").Capabilities["replication_type"]));
        Assert.False(Site.Engine.Backends.Get("lonely").Capabilities.ContainsKey("replication_type"));
        for (var i = 0; i < 4; i++)
        {
            Assert.NotEqual("lonely", Site.CreateVolume($"v{i}", MiB, SyncType).Backend);
        }
    }

    /// <summary>
    /// Runs the service's periodic look at the exported volume now rather than on its timer, until the export mirrors
    /// again (the timer's own look may hold the volume's lease for a moment, and then this one waits for it).
    /// </summary>
    private void ResumeMirror()
    {
        var export = ExportedVolume.InThisProcess(Site.Engine.Volumes.Get("db01").Id)!;
        for (var attempt = 0; attempt < 300 && export.Mode != ExportMode.Mirroring; attempt++)
        {
            export.Mirror!.Tick(Site.Quiet);
            System.Threading.Thread.Sleep(export.Mode == ExportMode.Mirroring ? 0 : 100);
        }
    }

    private void AssertRefused(Dictionary<string, string> specs, bool replicated)
    {
        var error = Assert.Throws<ReplicationException>(() => Site.Engine.VolumeTypes.Add("bad", specs, null, replicated));
        Assert.Equal(ErrorIds.InvalidExtraSpec, error.ErrorId);
    }
}
