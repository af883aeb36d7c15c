using System;
using System.Collections.Concurrent;
using Replication.Engine;
using Replication.Engine.Model;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// Carries what engine work on other threads reports (decisions, progress, results) to the pipeline thread, the only
/// thread that may write to PowerShell's streams: the work adds to the queue, the cmdlet drains it.
/// </summary>
internal sealed class QueuedObserver : IOperationObserver
{
    private readonly IOperationObserver _inner;
    private readonly BlockingCollection<Action> _queue;

    public QueuedObserver(IOperationObserver inner, BlockingCollection<Action> queue)
    {
        _inner = inner;
        _queue = queue;
    }

    public void Decision(string message) => _queue.Add(() => _inner.Decision(message));

    public void Progress(OperationProgress progress) => _queue.Add(() => _inner.Progress(progress));
}
