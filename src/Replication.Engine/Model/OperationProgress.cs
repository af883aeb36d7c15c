using System;

namespace Replication.Engine.Model;

/// <summary>Progress of a long operation, with the rate and time left derived from what was done so far.</summary>
public sealed class OperationProgress
{
    public OperationProgress(string activity, string target, long bytesDone, long bytesTotal, TimeSpan elapsed)
    {
        Activity = activity;
        Target = target;
        BytesDone = bytesDone;
        BytesTotal = bytesTotal;
        Elapsed = elapsed;
    }

    public string Activity { get; }

    public string Target { get; }

    public long BytesDone { get; }

    public long BytesTotal { get; }

    public TimeSpan Elapsed { get; }

    public int PercentComplete => BytesTotal <= 0 ? 100 : (int)Math.Min(100, BytesDone * 100 / BytesTotal);

    public double BytesPerSecond => Elapsed.TotalSeconds <= 0 ? 0 : BytesDone / Elapsed.TotalSeconds;

    public TimeSpan? Remaining => BytesPerSecond <= 0 ? null : TimeSpan.FromSeconds((BytesTotal - BytesDone) / BytesPerSecond);
}
