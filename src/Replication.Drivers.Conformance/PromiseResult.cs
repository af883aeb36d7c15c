using System;

namespace Replication.Drivers.Conformance;

/// <summary>What the kit found for one promise of the driver contract.</summary>
public sealed class PromiseResult
{
    public PromiseResult(string name, bool passed, string detail, TimeSpan duration)
    {
        Name = name;
        Passed = passed;
        Detail = detail;
        Duration = duration;
    }

    /// <summary>The promise, as Area.Promise (Fence.RefusesWriters).</summary>
    public string Name { get; }

    public bool Passed { get; }

    /// <summary>What was checked when it passed; what broke when it did not.</summary>
    public string Detail { get; }

    public TimeSpan Duration { get; }

    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")} {Name}: {Detail}";
}
