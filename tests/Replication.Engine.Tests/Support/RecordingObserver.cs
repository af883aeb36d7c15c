using System;
using System.Collections.Generic;
using Replication.Engine.Model;

namespace Replication.Engine.Tests.Support;

/// <summary>Keeps every decision and progress report, and can act on them (to write mid-round, or cancel, for example).</summary>
public sealed class RecordingObserver : IOperationObserver
{
    public List<string> Decisions { get; } = new();

    public List<OperationProgress> Reports { get; } = new();

    public Action<OperationProgress>? OnProgress { get; set; }

    public Action<string>? OnDecision { get; set; }

    public void Decision(string message)
    {
        Decisions.Add(message);
        OnDecision?.Invoke(message);
    }

    public void Progress(OperationProgress progress)
    {
        Reports.Add(progress);
        OnProgress?.Invoke(progress);
    }
}
