namespace Replication.Engine.Preflight;

/// <summary>How serious a failure of a pre-flight check is.</summary>
public enum PreflightSeverity
{
    /// <summary>Replication works, but worse than it should (slower, bigger, or with a blind spot); worth fixing.</summary>
    Warning,

    /// <summary>Replication will fail (or cannot even start) until this is fixed.</summary>
    Error,

    /// <summary>Reported for what it tells (an estimate); it never fails.</summary>
    Information,
}
