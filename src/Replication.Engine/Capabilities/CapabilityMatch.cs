namespace Replication.Engine.Capabilities;

/// <summary>Whether a backend's capabilities satisfy one extra-spec requirement and, when not, why.</summary>
public sealed class CapabilityMatch
{
    private CapabilityMatch(bool isSatisfied, string? reason)
    {
        IsSatisfied = isSatisfied;
        Reason = reason;
    }

    public static CapabilityMatch Satisfied { get; } = new(true, null);

    public bool IsSatisfied { get; }

    /// <summary>Why the requirement is not satisfied, e.g. "reports replication=False"; null when it is.</summary>
    public string? Reason { get; }

    public static CapabilityMatch NotSatisfied(string reason) => new(false, reason);

    public override string ToString() => IsSatisfied ? "satisfied" : $"not satisfied: {Reason}";
}
