using System;
using System.Diagnostics;
using Replication.Engine.Model;

namespace Replication.Engine.Diagnostics;

/// <summary>
/// Times the phases of the sync round running on this thread. Ambient (one per thread) because the phases lie deep in
/// code shared with work that is no round (clones, checks), where <see cref="In"/> costs nothing: there is no clock.
/// A moment counts for the innermost phase entered.
/// </summary>
internal sealed class RoundClock : IDisposable
{
    [ThreadStatic]
    private static RoundClock? _current;

    private readonly RoundClock? _outer;
    private readonly long[] _ticks = new long[Enum.GetValues(typeof(RoundPhase)).Length];
    private RoundPhase _phase = RoundPhase.Other;
    private long _since = Stopwatch.GetTimestamp();

    private RoundClock(RoundClock? outer) => _outer = outer;

    /// <summary>Starts timing a round on this thread (a round inside another, such as a promotion's final sync, gets its own clock).</summary>
    public static RoundClock Start() => _current = new RoundClock(_current);

    /// <summary>Counts the time until the returned scope is disposed for <paramref name="phase"/>; nothing when no round is timed.</summary>
    public static Scope In(RoundPhase phase) => _current is { } clock ? new Scope(clock, clock.Switch(phase)) : default;

    /// <summary>The phases so far.</summary>
    public RoundPhases Phases()
    {
        Switch(_phase);
        return new RoundPhases
        {
            ExtentWalk = Time(RoundPhase.ExtentWalk),
            Read = Time(RoundPhase.Read),
            Hash = Time(RoundPhase.Hash),
            Journal = Time(RoundPhase.Journal),
            ReplicaWrites = Time(RoundPhase.ReplicaWrites),
            Fsync = Time(RoundPhase.Fsync),
            State = Time(RoundPhase.State),
            Other = Time(RoundPhase.Other),
        };
    }

    public void Dispose()
    {
        if (ReferenceEquals(_current, this))
        {
            _current = _outer;
        }
    }

    private RoundPhase Switch(RoundPhase phase)
    {
        var now = Stopwatch.GetTimestamp();
        _ticks[(int)_phase] += now - _since;
        _since = now;
        var previous = _phase;
        _phase = phase;
        return previous;
    }

    private TimeSpan Time(RoundPhase phase) => TimeSpan.FromTicks(_ticks[(int)phase] * TimeSpan.TicksPerSecond / Stopwatch.Frequency);

    /// <summary>A phase entered; disposing it goes back to the phase it interrupted.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly RoundClock? _clock;
        private readonly RoundPhase _previous;

        internal Scope(RoundClock clock, RoundPhase previous)
        {
            _clock = clock;
            _previous = previous;
        }

        public void Dispose() => _clock?.Switch(_previous);
    }
}
