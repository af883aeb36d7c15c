namespace Replication.Engine.Preflight;

/// <summary>One pre-flight check of a backend pair, as Test-ReplicationPartnership writes it.</summary>
public sealed record PreflightResult
{
    /// <summary>Which check (<see cref="PreflightCheck"/>, as a word).</summary>
    public string Check => CheckValue.ToString();

    internal PreflightCheck CheckValue { get; init; }

    /// <summary>The backend the check is about (for a check of the pair, the backend that was tested).</summary>
    public string Backend { get; init; } = "";

    public bool Passed { get; init; }

    /// <summary>How serious it is when this check fails (a passed check keeps the severity its failure would have).</summary>
    public string Severity => SeverityValue.ToString();

    internal PreflightSeverity SeverityValue { get; init; }

    /// <summary>What was found, with the numbers.</summary>
    public string Detail { get; init; } = "";

    /// <summary>What to do about a failure; empty when the check passed.</summary>
    public string Advice { get; init; } = "";

    public override string ToString() => $"{Check} {Backend}: {(Passed ? "passed" : SeverityValue == PreflightSeverity.Error ? "FAILED" : "warning")}";
}
