using System;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Replication.Agent.Protocol;
using Replication.Drivers;

namespace Replication.Agent.Epochs;

/// <summary>
/// The fence epoch at this agent: the controller asserts a copy's epoch and role; before a copy this agent holds as the
/// primary is written, and every few seconds (<see cref="EpochWatcher"/>), the agent asks its partner agent which epoch
/// it holds for the other copy, and fences its own (read-only on disk, every write refused) when the partner is the
/// primary at a newer epoch. A copy whose epoch was not confirmed since the agent started (by the controller or the
/// partner) is not written while the partner cannot be reached: it may have been demoted while this site was away.
/// </summary>
public sealed class EpochGate
{
    private static readonly TimeSpan PartnerTimeout = TimeSpan.FromSeconds(5);

    private readonly AgentStorage _storage;
    private readonly CopyEpochs _epochs;
    private readonly PartnerChannels _partners;
    private readonly ILogger<EpochGate> _log;

    public EpochGate(AgentStorage storage, CopyEpochs epochs, PartnerChannels partners, ILogger<EpochGate> log)
    {
        _storage = storage;
        _epochs = epochs;
        _partners = partners;
        _log = log;
    }

    /// <summary>The controller's word: refused when this agent knows a newer epoch (the caller's state is behind).</summary>
    public EpochState Assert(EpochAssertion assertion)
    {
        var location = assertion.Copy.Location;
        var known = _epochs.Get(location);
        if (known is not null && (known.Epoch > assertion.Epoch || (known.Epoch == assertion.Epoch && known.Fenced && assertion.Primary)))
        {
            throw new StorageDriverException(DriverErrorIds.StorageRefused,
                $"The copy '{location}' is at fence epoch {known.Epoch}{(known.Fenced ? ", fenced" : "")} at this agent; the caller asserts epoch {assertion.Epoch}{(assertion.Primary ? " as the primary" : "")}. The caller's state is older than this site's: nothing was changed.");
        }

        var epoch = new CopyEpoch
        {
            Location = location,
            BackendName = assertion.Copy.Backend.Name,
            StateStoreId = assertion.Copy.Backend.StateStoreId,
            Epoch = assertion.Epoch,
            Primary = assertion.Primary,
            Fenced = known is { Fenced: true } && !assertion.Primary,
            PartnerAddress = assertion.PartnerAgent?.Address ?? "",
            PartnerThumbprint = assertion.PartnerAgent?.ServerThumbprint ?? "",
            PartnerLocation = assertion.PartnerLocation,
            CleanFenceStamp = known is { Fenced: true } && !assertion.Primary ? known.CleanFenceStamp : null,
        };
        _epochs.Save(epoch);
        _epochs.Confirm(location, StampOf(epoch));
        return StateOf(epoch);
    }

    public EpochState StateOf(string location) => _epochs.Get(location) is { } epoch ? StateOf(epoch) : new EpochState { Known = false };

    /// <summary>The controller set or lifted the fence: a fenced copy is no primary; one unfenced is to become a replica target.</summary>
    public void FenceSet(string location, bool fenced)
    {
        if (_epochs.Get(location) is { } epoch)
        {
            _epochs.Save(epoch with { Fenced = fenced, Primary = false, CleanFenceStamp = null });
        }
    }

    public void Forget(string location) => _epochs.Forget(location);

    /// <summary>Throws StorageRefused unless the copy may be written now (see the class).</summary>
    public async Task RequireWritable(string location, CancellationToken cancel)
    {
        var epoch = _epochs.Get(location);
        if (epoch is null)
        {
            return;
        }

        if (epoch.Fenced)
        {
            throw Refused(epoch, "it is fenced: it was demoted at fence epoch " + epoch.Epoch);
        }

        if (!epoch.Primary || !epoch.HasPartner)
        {
            return;
        }

        var confirmed = await Check(epoch, cancel).ConfigureAwait(false);
        if (_epochs.Get(location) is { Fenced: true } fenced)
        {
            throw Refused(fenced, $"its partner agent holds the other copy as the primary at fence epoch {fenced.Epoch}, so it was demoted while this site could not be reached; it is fenced now");
        }

        if (!confirmed && !_epochs.IsConfirmed(location))
        {
            throw Refused(epoch, "its fence epoch is unconfirmed since this agent started and the partner agent cannot be reached; the controller confirms it at its next call (a sync round, a promotion)");
        }
    }

    /// <summary>
    /// Asks the partner agent about the other copy: fences this copy when the partner is the primary at a newer epoch,
    /// confirms it when the partner is reached and is not. False when the partner could not be reached.
    /// </summary>
    public async Task<bool> Check(CopyEpoch epoch, CancellationToken cancel)
    {
        EpochState theirs;
        try
        {
            var partner = _partners.For(new PartnerAgent { Address = epoch.PartnerAddress, ServerThumbprint = epoch.PartnerThumbprint });
            var other = new CopyRef { Backend = new BackendRef { Name = "", StateStoreId = epoch.StateStoreId }, Location = epoch.PartnerLocation };
            theirs = await partner.EpochOfAsync(other, deadline: DateTime.UtcNow + PartnerTimeout, cancellationToken: cancel).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or StorageDriverException)
        {
            return false;
        }

        var stamp = StampOf(epoch);
        if (theirs.Known && theirs.Primary && theirs.Epoch > epoch.Epoch)
        {
            Fence(epoch, theirs.Epoch, stamp);
            return true;
        }

        _epochs.Confirm(epoch.Location, stamp);
        return true;
    }

    private void Fence(CopyEpoch epoch, long newer, string? stamp)
    {
        var clean = stamp is not null && _epochs.IsConfirmed(epoch.Location) && _epochs.ConfirmedStamp(epoch.Location) == stamp ? stamp : null;
        // Recorded first: should the file's mode fail to change, every write through this agent is refused anyway.
        _epochs.Save(epoch with { Epoch = newer, Primary = false, Fenced = true, CleanFenceStamp = clean });
        _storage.Driver.SetFence(Backend(epoch), epoch.Location, fenced: true);
        _log.LogWarning("Fenced '{Location}': the partner agent holds the other copy as the primary at fence epoch {Newer} (this copy was the primary at {Epoch}); {Clean}.",
            epoch.Location, newer, epoch.Epoch, clean is null ? "it may have been written since the promotion" : "nothing wrote to it since its epoch was last confirmed");
    }

    private string? StampOf(CopyEpoch epoch)
    {
        try
        {
            return _storage.Driver.ChangeStamp(Backend(epoch), epoch.Location);
        }
        catch (StorageDriverException)
        {
            return null;
        }
    }

    private BackendConfiguration Backend(CopyEpoch epoch) => _storage.Backend(new BackendRef { Name = epoch.BackendName, StateStoreId = epoch.StateStoreId });

    private static EpochState StateOf(CopyEpoch epoch)
    {
        var state = new EpochState { Known = true, Epoch = epoch.Epoch, Primary = epoch.Primary, Fenced = epoch.Fenced };
        if (epoch.CleanFenceStamp is { } stamp)
        {
            state.CleanFenceStamp = stamp;
        }

        return state;
    }

    private static StorageDriverException Refused(CopyEpoch epoch, string why) =>
        new(DriverErrorIds.StorageRefused, $"A write to '{epoch.Location}' is refused by its agent: {why}. Enable-Replication makes it a replica of the primary again.");
}
