using System.Collections.Generic;

namespace Replication.Engine.Health;

/// <summary>The health of one replica and every reason that made it so, in the order the rules found them.</summary>
public sealed class HealthVerdict
{
    internal HealthVerdict(ReplicaHealth health, IReadOnlyList<string> reasons)
    {
        Health = health;
        Reasons = reasons;
    }

    public ReplicaHealth Health { get; }

    public IReadOnlyList<string> Reasons { get; }

    /// <summary>The reasons as one line ("; " between them); empty when nothing is wrong.</summary>
    public string Text => string.Join("; ", Reasons);

    public override string ToString() => Reasons.Count == 0 ? Health.ToString() : $"{Health}: {Text}";
}
