using System;
using System.Globalization;
using System.Linq;
using System.Text;
using Replication.Drivers;
using Replication.Engine.Drivers;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Drivers;

/// <summary>
/// A driver whose storage replicates itself (<see cref="INativeReplication"/>): the round is the driver's, staged, recorded
/// by the engine, then applied; after a crash the engine applies what state recorded and discards what it did not.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class NativeReplicationTests : IDisposable
{
    private const long Size = 16L * ChunkFolderSite.Chunk;

    private readonly StagingDriver _driver = new();
    private readonly ChunkFolderSite _site;
    private readonly System.Collections.Generic.HashSet<string> _created = new();

    public NativeReplicationTests() => _site = new ChunkFolderSite(_driver);

    public void Dispose() => _site.Dispose();

    [Fact]
    public void TheDriverStagesTheRoundTheEngineRecordsItAndThenItIsApplied()
    {
        var primary = Written("v1", seed: 1);

        var round = _site.Site.Sync("v1");

        // Round 1 is the empty copy made with the volume.
        Assert.Equal((2L, 2L, 0L), (round.SyncGeneration, _driver.Applied, _driver.BytesReadFrom(primary)));
        Assert.Equal(Size, round.BytesWritten);
        Assert.Equal(_site.ReadAll(primary), _site.ReadAll(_site.Replica("v1")));
        Assert.Null(_driver.StateOf(_site.Replica("v1")).StagedRound);
        Assert.Equal(new long[] { 2 }, _driver.RecordedAtApply);
    }

    [Fact]
    public void InABatchTheStagedRoundIsAppliedOnlyAfterTheBatchRecordsIt()
    {
        Written("v1", seed: 1);
        _site.Site.Sync("v1");
        var primary = Written("v1", seed: 2);
        using var batch = _site.Site.Engine.Replication.BeginBatch();

        var now = _site.Site.Engine.Replication.Sync("v1", false, batch, _site.Site.Quiet, System.Threading.CancellationToken.None);

        // Staged and waiting for the batch's record: not applied yet, state still at round 2.
        Assert.Empty(now);
        Assert.Equal((3L, 2L, 2L), (_driver.StateOf(_site.Replica("v1")).StagedRound, _driver.Applied, _site.Site.Record("v1").SyncGeneration));
        var recorded = batch.Flush();

        Assert.Equal(3L, recorded.Single().SyncGeneration);
        Assert.Equal(new long[] { 2, 3 }, _driver.RecordedAtApply);
        Assert.Equal(_site.ReadAll(primary), _site.ReadAll(_site.Replica("v1")));
    }

    [Fact]
    public void ACrashAfterTheDriverStagedBeforeTheRecordDiscardsTheRoundOnTheNextCommand()
    {
        Written("v1", seed: 1);
        _site.Site.Sync("v1");
        Written("v1", seed: 2);

        Assert.Throws<DiedHere>(() => _site.Site.Sync("v1", observer: new DiesAt("staged round 3")));
        Assert.Equal((3L, 2L), (_driver.StateOf(_site.Replica("v1")).StagedRound, _site.Site.Record("v1").SyncGeneration));
        _driver.Unavailable = true;
        var next = _site.Site.Sync("v1");

        // Round 3 was never recorded: discarded, never applied.
        Assert.Equal((3L, 2L), (_driver.Discarded.Single(), _driver.Applied));
        // The next round (here the engine's own, the driver saying it cannot replicate now) compares both sides: no block map describes a native round.
        Assert.Equal("FullCompare", next.Mode);
        Assert.Equal(_site.ReadAll(_site.Primary("v1")), _site.ReadAll(_site.Replica("v1")));
    }

    [Fact]
    public void ACrashAfterTheRecordBeforeTheApplyIsAppliedOnTheNextCommand()
    {
        Written("v1", seed: 1);
        _site.Site.Sync("v1");
        var primary = Written("v1", seed: 2);
        _driver.FailApply = true;

        Assert.ThrowsAny<Exception>(() => _site.Site.Sync("v1"));
        Assert.Equal((3L, 3L, 2L), (_site.Site.Record("v1").SyncGeneration, _driver.StateOf(_site.Replica("v1")).StagedRound, _driver.Applied));
        _driver.FailApply = false;

        _site.Site.Sync("v1");

        // Round 3 was applied as the command began, before its own round 4.
        Assert.Equal(new long[] { 2, 3, 4 }, _driver.RecordedAtApply);
        Assert.Equal(_site.ReadAll(primary), _site.ReadAll(_site.Replica("v1")));
    }

    [Fact]
    public void ARoundThatFailsMidWayKeepsTheReplicaActiveAtItsRoundAndTheNextRoundSyncs()
    {
        Written("v1", seed: 1);
        _site.Site.Sync("v1");
        var atRound2 = _site.ReadAll(_site.Replica("v1"));
        var primary = Written("v1", seed: 2);
        _driver.FailReplicateAfterStaging = true;

        Assert.ThrowsAny<Exception>(() => _site.Site.Sync("v1"));

        // The driver says the replica holds round 2, the recorded one, and the half-sent round 3 was discarded: the
        // replica is still a consistent copy, so it stays active (promotable) and the failure is told.
        var record = _site.Site.Record("v1");
        Assert.Equal((ReplicationStatus.Active, 2L), (record.ReplicationStatus, record.SyncGeneration));
        Assert.Contains("still holds round 2", record.ReplicationExtendedStatus, StringComparison.Ordinal);
        Assert.Equal((2L, (long?)null), (_driver.Applied, _driver.StateOf(_site.Replica("v1")).StagedRound));
        Assert.Equal(atRound2, _site.ReadAll(_site.Replica("v1")));
        _driver.FailReplicateAfterStaging = false;

        var next = _site.Site.Sync("v1");

        Assert.Equal((3L, "active"), (next.SyncGeneration, next.Status));
        Assert.Equal(_site.ReadAll(primary), _site.ReadAll(_site.Replica("v1")));
    }

    [Fact]
    public void ARoundThatFailsWhileTheReplicaHoldsAnotherRoundThanRecordedPutsItInError()
    {
        Written("v1", seed: 1);
        _site.Site.Sync("v1");
        Written("v1", seed: 2);
        _driver.FailReplicateAfterStaging = true;
        _driver.ClaimApplied = 7;

        Assert.ThrowsAny<Exception>(() => _site.Site.Sync("v1"));

        Assert.Equal(ReplicationStatus.Error, _site.Site.Record("v1").ReplicationStatus);
    }

    /// <summary>Writes the whole volume (made if new) from a seeded stream; its primary.</summary>
    private VolumeCopy Written(string name, int seed)
    {
        if (_created.Add(name))
        {
            _site.Site.CreateVolume(name, Size);
        }

        var primary = _site.Primary(name);
        _site.Write(primary, 0, EngineSite.RandomBytes((int)Size, seed));
        return primary;
    }

    private sealed class DiedHere : Exception
    {
    }

    /// <summary>An observer that dies (throws) when the engine tells a decision containing the text: a crash at that point.</summary>
    private sealed class DiesAt : IOperationObserver
    {
        private readonly string _text;

        public DiesAt(string text) => _text = text;

        public void Decision(string message)
        {
            if (message.Contains(_text, StringComparison.Ordinal))
            {
                throw new DiedHere();
            }
        }

        public void Progress(OperationProgress progress)
        {
        }
    }

    /// <summary>
    /// The sample with native replication: a round copies the whole primary into a sidecar on the replica's backend
    /// (native-{location}.staged-{round}); applying writes it into the replica and notes the round (native-{location}.applied).
    /// </summary>
    private sealed class StagingDriver : CountingDriver, INativeReplication
    {
        private BackendConfiguration? _replicaBackend;
        private string _replicaLocation = "";

        public StagingDriver()
            : base("NativeChunks")
        {
        }

        public bool FailApply { get; set; }

        /// <summary>While true a round stages part of its bytes on the replica side, then the link drops.</summary>
        public bool FailReplicateAfterStaging { get; set; }

        /// <summary>When set, the round the driver says the replica holds, whatever it applied.</summary>
        public long? ClaimApplied { get; set; }

        /// <summary>While true the driver says it cannot replicate between the backends (the engine then moves the bytes).</summary>
        public bool Unavailable { get; set; }

        public long Applied => StateOf().AppliedRound ?? 0;

        public System.Collections.Generic.List<long> Discarded { get; } = new();

        /// <summary>The round each apply applied.</summary>
        public System.Collections.Generic.List<long> RecordedAtApply { get; } = new();

        public bool CanReplicate(BackendConfiguration primary, BackendConfiguration replica) => !Unavailable;

        public NativeRoundResult Replicate(NativeRoundRequest request)
        {
            _replicaBackend = request.Replica;
            _replicaLocation = request.ReplicaLocation;
            using var source = Inner.Open(request.Primary, request.PrimaryLocation, DeviceAccess.Read);
            var bytes = new byte[source.Length];
            source.Read(0, bytes, 0, bytes.Length);
            if (FailReplicateAfterStaging)
            {
                Inner.Sidecars(request.Replica).Replace(Staged(request.ReplicaLocation, request.Round), bytes.AsSpan(0, bytes.Length / 2).ToArray());
                throw new StorageDriverException(DriverErrorIds.IoFault, "The link to the replica's site dropped mid-round (the test says so).");
            }

            Inner.Sidecars(request.Replica).Replace(Staged(request.ReplicaLocation, request.Round), bytes);
            return new NativeRoundResult(bytes.Length, DateTimeOffset.UtcNow);
        }

        public void ApplyStaged(BackendConfiguration replica, string replicaLocation, long round)
        {
            if (FailApply)
            {
                throw new StorageDriverException(DriverErrorIds.IoFault, "The array lost the link while applying (the test says so).");
            }

            var sidecars = Inner.Sidecars(replica);
            if (sidecars.Read(Staged(replicaLocation, round)) is { } bytes)
            {
                using var target = Inner.Open(replica, replicaLocation, DeviceAccess.ReadWrite);
                target.Write(0, bytes, 0, bytes.Length);
                target.Flush();
                sidecars.Replace(AppliedName(replicaLocation), Encoding.ASCII.GetBytes(round.ToString(CultureInfo.InvariantCulture)));
                sidecars.Delete(Staged(replicaLocation, round));
                RecordedAtApply.Add(round);
            }
        }

        public void DiscardStaged(BackendConfiguration replica, string replicaLocation, long round)
        {
            Inner.Sidecars(replica).Delete(Staged(replicaLocation, round));
            Discarded.Add(round);
        }

        public NativeReplicaState ReplicaState(BackendConfiguration replica, string replicaLocation)
        {
            var sidecars = Inner.Sidecars(replica);
            var applied = sidecars.Read(AppliedName(replicaLocation)) is { } text ? long.Parse(Encoding.ASCII.GetString(text), CultureInfo.InvariantCulture) : (long?)null;
            var staged = sidecars.List($"native-{replicaLocation}.staged-").Select(n => long.Parse(n.Substring(n.LastIndexOf('-') + 1), CultureInfo.InvariantCulture)).Cast<long?>().Max();
            return new NativeReplicaState(ClaimApplied ?? applied, staged);
        }

        public NativeReplicaState StateOf(VolumeCopy? replica = null) =>
            replica is null
                ? _replicaBackend is null ? new NativeReplicaState(null, null) : ReplicaState(_replicaBackend, _replicaLocation)
                : ReplicaState(EngineDriver.Config(replica.Backend), replica.Location);

        private static string Staged(string location, long round) => $"native-{location}.staged-{round}";

        private static string AppliedName(string location) => $"native-{location}.applied";
    }
}
