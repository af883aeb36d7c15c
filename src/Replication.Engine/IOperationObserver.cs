using Replication.Engine.Model;

namespace Replication.Engine;

/// <summary>How the engine tells its host what it decided and how far a long operation got.</summary>
public interface IOperationObserver
{
    /// <summary>A decision and its reason, for the admin who asks (-Verbose).</summary>
    void Decision(string message);

    void Progress(OperationProgress progress);
}
