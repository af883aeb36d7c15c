namespace Replication.Engine.Model;

/// <summary>How a DR test ended.</summary>
public enum DrTestOutcome
{
    /// <summary>Still running (or its process stopped; the next test run then marks it Interrupted).</summary>
    Running,

    /// <summary>The test volume matched the replicated data, any custom validation passed, and the RPO target was met.</summary>
    Passed,

    /// <summary>Something did not hold; Reason says what.</summary>
    Failed,

    /// <summary>The replica could not be tested in its status (copying, inactive, error, disabled); nothing was done.</summary>
    NotTestable,

    /// <summary>The test's process stopped half-way; a later run removed its test volume.</summary>
    Interrupted,
}
