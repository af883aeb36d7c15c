using System;

namespace Replication.Engine.Drivers.Loading;

/// <summary>One promise of the driver contract, as the conformance kit found it for a driver (Test-StorageDriver).</summary>
public sealed class StorageDriverTestResult
{
    public string Driver { get; init; } = "";

    /// <summary>The promise, as Area.Promise (Fence.RefusesWriters).</summary>
    public string Promise { get; init; } = "";

    public bool Passed { get; init; }

    /// <summary>What was checked when it passed; what broke when it did not.</summary>
    public string Detail { get; init; } = "";

    public TimeSpan Duration { get; init; }

    public override string ToString() => $"{(Passed ? "Passed" : "Failed")} {Promise}";
}
