using Replication.Drivers;
using Replication.Engine.Drivers;
using Replication.Engine.Errors;
using Replication.Engine.Model;

namespace Replication.Engine.Rounds;

/// <summary>
/// Rounds a driver's storage moves itself (<see cref="INativeReplication"/>), under the engine's rules: the driver stages
/// the round on the replica side, the engine records it, and only then is it applied; after a crash the engine asks which
/// round is staged and applies it when state recorded it, discards it when not. The engine cannot check such a round
/// against the primary: the primary has moved on since the point in time the driver staged, and the contract offers no
/// read of that point in time. So a native round records no block map, and the next round the engine moves itself
/// compares both sides instead of trusting the map.
/// </summary>
internal sealed class NativeRounds
{
    private readonly EngineDriver _driver;

    public NativeRounds(EngineDriver driver) => _driver = driver;

    /// <summary>True when the primary's driver replicates between these two backends itself (a driver that cannot tell now: no).</summary>
    public bool Applies(VolumeCopy primary, VolumeCopy replica)
    {
        try
        {
            return _driver.Contract is INativeReplication native && native.CanReplicate(EngineDriver.Config(primary.Backend), EngineDriver.Config(replica.Backend));
        }
        catch (StorageDriverException)
        {
            return false;
        }
    }

    /// <summary>Asks the driver to stage the round on the replica side; nothing of the replica is visible until it is recorded and applied.</summary>
    public ReplicaSyncOutcome Stage(ReplicaSyncRequest request, IOperationObserver observer)
    {
        var native = (INativeReplication)_driver.Contract;
        var replicaName = _driver.Describe(request.Target);
        var full = request.ForceRead || request.PreviousMap is null;
        var nativeRequest = new NativeRoundRequest(EngineDriver.Config(request.Source.Backend), request.Source.Location, EngineDriver.Config(request.Target.Backend), request.Target.Location, request.Generation, full)
        {
            Progress = ReplicaRounds.Reporter(observer, "Syncing", request.VolumeName),
        };
        NativeRoundResult result;
        try
        {
            result = native.Replicate(nativeRequest);
        }
        catch (StorageDriverException ex)
        {
            // Nothing of the replica changed: what the failed round staged is forgotten, and its failure is the one to report.
            try
            {
                native.DiscardStaged(nativeRequest.Replica, request.Target.Location, request.Generation);
            }
            catch (StorageDriverException)
            {
            }

            throw DriverFaults.Map(ex, ErrorIds.ReplicaUnwritable, "Replicating natively to", replicaName);
        }

        observer.Decision($"'{request.VolumeName}': its driver replicates between these backends itself: it staged round {request.Generation} ({result.BytesSent} bytes sent{(full ? ", everything compared" : "")}), applied once the round is recorded. The engine records no block map for it: it cannot read the primary as of the staged point in time.");
        return new ReplicaSyncOutcome
        {
            Mode = SyncMode.Incremental,
            Native = true,
            Generation = request.Generation,
            StartedAt = result.PointInTime,
            BytesWritten = result.BytesSent,
            DriverData = RoundStamp.OfNativeRound(result.PointInTime.UtcTicks),
        };
    }

    /// <summary>Applies a recorded round; the driver's apply is idempotent, so a round applied before a crash is applied again harmlessly.</summary>
    public void Apply(VolumeCopy replica, long round) => DriverFaults.Run(
        () => ((INativeReplication)_driver.Contract).ApplyStaged(EngineDriver.Config(replica.Backend), replica.Location, round),
        ErrorIds.ReplicaUnwritable, "Applying the natively replicated round to", _driver.Describe(replica));

    /// <summary>
    /// Forgets any round the driver staged for the replica: it is about to be recopied, or the engine recorded a round of
    /// its own over it, so a stage left from before must never be applied later.
    /// </summary>
    public void DiscardAnyStaged(VolumeCopy replica)
    {
        if (_driver.Contract is INativeReplication native &&
            native.ReplicaState(EngineDriver.Config(replica.Backend), replica.Location).StagedRound is { } staged)
        {
            native.DiscardStaged(EngineDriver.Config(replica.Backend), replica.Location, staged);
        }
    }

    /// <summary>
    /// After a failed round of a pair the driver replicates itself: true when the driver says the replica holds
    /// <paramref name="recordedRound"/> with nothing staged (a stage the failed round left is discarded first). A native
    /// round records no block map to read the replica against, so the driver's word is how the engine knows.
    /// </summary>
    public bool StillHolds(VolumeCopy primary, VolumeCopy replica, long recordedRound)
    {
        if (!Applies(primary, replica))
        {
            return false;
        }

        try
        {
            DiscardAnyStaged(replica);
            var state = ((INativeReplication)_driver.Contract).ReplicaState(EngineDriver.Config(replica.Backend), replica.Location);
            return state.AppliedRound == recordedRound && state.StagedRound is null;
        }
        catch (StorageDriverException)
        {
            return false; // a replica side that cannot tell is not called whole
        }
    }

    /// <summary>
    /// After a crash: a staged round that state recorded (<paramref name="recordedRound"/> or earlier) is applied, one it
    /// did not is discarded, so the replica is again exactly the recorded round.
    /// </summary>
    public void Settle(VolumeCopy primary, VolumeCopy replica, long recordedRound, string volumeName, IOperationObserver observer)
    {
        if (_driver.Contract is not INativeReplication native)
        {
            return;
        }

        // Asked even when the driver cannot replicate the pair now: a round it staged before must still be settled.
        var backend = EngineDriver.Config(replica.Backend);
        var replicaName = _driver.Describe(replica);
        NativeReplicaState state;
        try
        {
            state = native.ReplicaState(backend, replica.Location);
        }
        catch (StorageDriverException ex)
        {
            if (!Applies(primary, replica))
            {
                return; // a pair the driver does not replicate holds nothing it staged
            }

            throw DriverFaults.Map(ex, ErrorIds.ReplicaUnwritable, "Reading the native replication state of", replicaName);
        }

        if (state.StagedRound is not { } staged)
        {
            return;
        }

        if (staged <= recordedRound)
        {
            Apply(replica, staged);
            observer.Decision($"'{volumeName}': natively replicated round {staged} was recorded but not applied; it was applied now.");
        }
        else
        {
            DriverFaults.Run(() => native.DiscardStaged(backend, replica.Location, staged), ErrorIds.ReplicaUnwritable, "Discarding a staged round of", replicaName);
            observer.Decision($"'{volumeName}': natively replicated round {staged} was staged but never recorded; it was discarded, and the replica stays at round {recordedRound}.");
        }
    }
}
