using Replication.Engine.Model;

namespace Replication.Engine;

/// <summary>An observer for callers that want neither decisions nor progress.</summary>
public sealed class SilentObserver : IOperationObserver
{
    public static readonly SilentObserver Instance = new();

    private SilentObserver()
    {
    }

    public void Decision(string message)
    {
    }

    public void Progress(OperationProgress progress)
    {
    }
}
