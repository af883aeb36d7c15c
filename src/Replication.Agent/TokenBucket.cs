using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Replication.Agent;

/// <summary>
/// A partnership's bandwidth limit as the sending agent keeps it: bytes a second, with a burst of a tenth of a second.
/// Taking more than is there runs into debt, and the taker waits the debt off, so the average over any stretch longer
/// than the burst stays at the rate.
/// </summary>
public sealed class TokenBucket
{
    private readonly double _bytesPerSecond;
    private readonly double _burst;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _tokens;
    private TimeSpan _last;

    public TokenBucket(long bytesPerSecond)
    {
        if (bytesPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), "A bandwidth limit is a positive number of bytes a second.");
        }

        _bytesPerSecond = bytesPerSecond;
        _burst = bytesPerSecond / 10.0;
        _tokens = _burst;
    }

    /// <summary>No limit: nothing to wait for.</summary>
    public static TokenBucket? For(long bytesPerSecond) => bytesPerSecond > 0 ? new TokenBucket(bytesPerSecond) : null;

    public Task Take(int bytes, CancellationToken cancel)
    {
        var now = _clock.Elapsed;
        _tokens = Math.Min(_burst, _tokens + ((now - _last).TotalSeconds * _bytesPerSecond)) - bytes;
        _last = now;
        return _tokens >= 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromSeconds(-_tokens / _bytesPerSecond), cancel);
    }
}
