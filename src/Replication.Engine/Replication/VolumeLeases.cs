using System;
using System.Diagnostics;
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

    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(100);

    private readonly EngineContext _context;

    public VolumeLeases(EngineContext context) => _context = context;

    public TimeSpan WaitLimit { get; set; } = TimeSpan.FromSeconds(15);

    public IDisposable Acquire(string volumeName, string operation, IOperationObserver observer, CancellationToken cancellation)
    {
        var holder = Guid.NewGuid().ToString("N");
        var waited = Stopwatch.StartNew();
        while (true)
        {
            using (var session = _context.Store.Begin(write: true))
            {
                var volume = VolumeSnapshot.FindVolume(session, volumeName);
                var now = _context.Now;
                var existing = session.FindLease(volume.Id);
                if (existing is null || existing.ExpiresAt <= now)
                {
                    session.PutLease(new VolumeLease { VolumeId = volume.Id, Holder = holder, Actor = _context.Actor, Operation = operation, AcquiredAt = now, ExpiresAt = now + Lifetime });
                    session.Commit();
                    if (existing is not null)
                    {
                        observer.Decision($"'{volume.Name}': the lease of {existing.Operation} by {existing.Actor} lapsed at {existing.ExpiresAt:u} (its process stopped renewing it); taken over.");
                    }

                    return new Held(_context, volume.Id, holder);
                }

                if (waited.Elapsed >= WaitLimit)
                {
                    throw new ReplicationException(ErrorIds.VolumeBusy, ErrorKind.ResourceBusy,
                        $"Volume '{volume.Name}' is busy: {existing.Operation} by {existing.Actor} since {existing.AcquiredAt:u}. Try again when it has finished; if that process died, its claim lapses by {existing.ExpiresAt:u}.", volume.Name);
                }
            }

            if (cancellation.WaitHandle.WaitOne(PollEvery))
            {
                cancellation.ThrowIfCancellationRequested();
            }
        }
    }

    private sealed class Held : IDisposable
    {
        private readonly EngineContext _context;
        private readonly Guid _volumeId;
        private readonly string _holder;
        private readonly Timer _renewal;

        public Held(EngineContext context, Guid volumeId, string holder)
        {
            _context = context;
            _volumeId = volumeId;
            _holder = holder;
            _renewal = new Timer(_ => Renew(), null, RenewEvery, RenewEvery);
        }

        public void Dispose()
        {
            // A renewal still in flight only updates a row, so it cannot bring back the claim deleted here.
            _renewal.Dispose();
            using var session = _context.Store.Begin(write: true);
            session.DeleteLease(_volumeId, _holder);
            session.Commit();
        }

        private void Renew()
        {
            try
            {
                using var session = _context.Store.Begin(write: true);
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
