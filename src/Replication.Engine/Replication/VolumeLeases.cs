using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Replication.Engine.Errors;
using Replication.Engine.State;

namespace Replication.Engine.Replication;

/// <summary>
/// One operation at a time per volume, across processes: an operation takes the volume's lease in the state file,
/// renews it while it works, and gives it back when done. A holder that dies stops renewing, so its lease lapses after
/// <see cref="Lifetime"/> and the next command takes over. A command that finds the lease held waits up to
/// <see cref="WaitLimit"/>, then gives up with VolumeBusy.
/// </summary>
public sealed class VolumeLeases
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(100);

    private readonly EngineContext _context;

    public VolumeLeases(EngineContext context) => _context = context;

    public TimeSpan WaitLimit { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a held lease is renewed (three times in its lifetime); a test renews sooner, or never.</summary>
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromSeconds(10);

    /// <param name="wait">How long to wait for a lease another live operation holds; <see cref="WaitLimit"/> when not given.</param>
    public IDisposable Acquire(string volumeName, string operation, IOperationObserver observer, CancellationToken cancellation, TimeSpan? wait = null) =>
        Acquire(session => VolumeSnapshot.FindVolume(session, volumeName) is var volume ? (volume.Id, volume.Name, $"Volume '{volume.Name}'") : default, operation, observer, cancellation, wait);

    /// <summary>
    /// A replication group's own lease: held by a group round or promotion (with each member's lease) and by a group DR
    /// test, so no group round starts between the clones of one test.
    /// </summary>
    public IDisposable AcquireGroup(string groupName, string operation, IOperationObserver observer, CancellationToken cancellation, TimeSpan? wait = null) =>
        Acquire(_ => (GroupKey(groupName), groupName, $"Replication group '{groupName}'"), operation, observer, cancellation, wait);

    /// <summary>
    /// A group's lease, then each member's in name order (the order every group operation takes them in, so no two
    /// deadlock). Returns the group's name as recorded and its members' names; disposing gives every lease back.
    /// </summary>
    internal HeldGroup AcquireGroupWithMembers(string groupName, string operation, IOperationObserver observer, CancellationToken cancellation)
    {
        string name;
        using (var read = _context.Store.Begin(write: false))
        {
            name = Groups.GroupCatalog.Find(read, groupName).Name;
        }

        var leases = new List<IDisposable> { AcquireGroup(name, operation, observer, cancellation) };
        try
        {
            List<string> members;
            using (var read = _context.Store.Begin(write: false))
            {
                members = read.ListVolumes(new VolumeQuery { GroupName = name }).Select(v => v.Name).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
            }

            foreach (var member in members)
            {
                leases.Add(Acquire(member, operation, observer, cancellation));
            }

            return new HeldGroup(name, members, leases);
        }
        catch
        {
            leases.ForEach(l => l.Dispose());
            throw;
        }
    }

    /// <summary>The lease key of a group: a fixed id derived from its name (case-insensitive, as names are).</summary>
    internal static Guid GroupKey(string groupName)
    {
        using var md5 = System.Security.Cryptography.MD5.Create();
        return new Guid(md5.ComputeHash(System.Text.Encoding.UTF8.GetBytes("group:" + groupName.ToLowerInvariant())));
    }

    private IDisposable Acquire(Func<IStateSession, (Guid Key, string Name, string Display)> resolve, string operation, IOperationObserver observer, CancellationToken cancellation, TimeSpan? wait)
    {
        var waitLimit = wait ?? WaitLimit;
        var waited = Stopwatch.StartNew();
        var toldWaiting = false;
        while (true)
        {
            using (var session = _context.Store.BeginLeaseWrite())
            {
                var (key, name, display) = resolve(session);
                var now = _context.Now;
                var existing = session.FindLease(key);
                if (existing is null || IsLapsed(existing, now))
                {
                    var held = Claim(session, key, operation);
                    session.Commit();
                    if (existing is not null)
                    {
                        observer.Decision($"{display}: the lease of {existing.Operation} by {existing.Actor} lapsed (its process stopped); taken over.");
                    }

                    return held;
                }

                if (waited.Elapsed >= waitLimit)
                {
                    throw new ReplicationException(ErrorIds.VolumeBusy, ErrorKind.ResourceBusy,
                        $"{display} is busy: {existing.Operation} by {existing.Actor} since {existing.AcquiredAt:u}. Try again when it has finished; if that process died, its claim lapses by {existing.ExpiresAt:u}.", name);
                }

                if (!toldWaiting)
                {
                    toldWaiting = true;
                    observer.Decision($"{display} is busy ({existing.Operation} by {existing.Actor}); waiting up to {Humane.Duration(waitLimit)} for it to finish.");
                }
            }

            if (cancellation.WaitHandle.WaitOne(PollEvery))
            {
                cancellation.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>The lease if no live operation holds the volume (or the volume is gone: null then too); never waits.</summary>
    internal IDisposable? TryAcquire(string volumeName, string operation, IOperationObserver observer)
    {
        try
        {
            return Acquire(volumeName, operation, observer, CancellationToken.None, wait: TimeSpan.Zero);
        }
        catch (ReplicationException ex) when (ex.ErrorId is ErrorIds.VolumeBusy or ErrorIds.VolumeNotFound)
        {
            return null;
        }
    }

    /// <summary>True when a live lease is held on the volume by anyone.</summary>
    internal bool IsHeld(IStateSession session, Guid volumeId) => session.FindLease(volumeId) is { } lease && !IsLapsed(lease, _context.Now);

    /// <summary>
    /// A lease lapses when its holder stopped renewing it, or at once when the holder was a process of this machine that
    /// is no longer running (a process with its id but another start time is a later one that reused the id).
    /// </summary>
    internal static bool IsLapsed(VolumeLease lease, DateTimeOffset now) =>
        lease.ExpiresAt <= now || ProcessLiveness.IsGone(lease.Host, lease.ProcessId, lease.ProcessStartedAt);

    /// <summary>
    /// Takes the lease inside the caller's transaction: for a volume whose row is inserted in that same transaction, so
    /// a creation is claimed from its first moment and a crashed one is recognisable by its lapsed lease.
    /// </summary>
    internal IDisposable Claim(IStateSession session, Guid volumeId, string operation)
    {
        var holder = Guid.NewGuid().ToString("N");
        var now = _context.Now;
        session.PutLease(new VolumeLease
        {
            VolumeId = volumeId,
            Holder = holder,
            Actor = _context.Actor,
            Operation = operation,
            AcquiredAt = now,
            ExpiresAt = now + Lifetime,
            Host = EngineContext.Host,
            ProcessId = EngineContext.ProcessId,
            ProcessStartedAt = EngineContext.ProcessStartedAt,
        });
        return new Held(_context, volumeId, holder, RenewEvery);
    }

    private sealed class Held : IDisposable
    {
        private readonly EngineContext _context;
        private readonly Guid _volumeId;
        private readonly string _holder;
        private readonly Timer _renewal;

        public Held(EngineContext context, Guid volumeId, string holder, TimeSpan renewEvery)
        {
            _context = context;
            _volumeId = volumeId;
            _holder = holder;
            _renewal = new Timer(_ => Renew(), null, renewEvery, renewEvery);
        }

        public void Dispose()
        {
            // A renewal still in flight only updates a row, so it cannot bring back the claim deleted here.
            _renewal.Dispose();
            using var session = _context.Store.BeginLeaseWrite();
            session.DeleteLease(_volumeId, _holder);
            session.Commit();
        }

        private void Renew()
        {
            try
            {
                using var session = _context.Store.BeginLeaseWrite();
                session.RenewLease(_volumeId, _holder, _context.Now + Lifetime);
                session.Commit();
            }
            catch (ReplicationException)
            {
                // A busy or vanished state file: the next tick tries again; the lease lasts three ticks.
            }
        }
    }
}
