namespace Replication.Engine.DrTests;

/// <summary>What an admin's own check of a test volume said (a host runs the check; the engine records the verdict).</summary>
public sealed class ValidationOutcome
{
    public ValidationOutcome(bool passed, string message)
    {
        Passed = passed;
        Message = message;
    }

    public bool Passed { get; }

    public string Message { get; }
}
