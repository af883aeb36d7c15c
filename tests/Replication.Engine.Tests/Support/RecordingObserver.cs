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

    /// <summary>Writes a block of the file once, while a round reads the primary ("Syncing"): a writer racing the round.</summary>
    public static RecordingObserver WritingOnceWhileSyncing(string path, long offset)
    {
        var observer = new RecordingObserver();
        observer.OnProgress = progress =>
        {
            if (!observer.WroteWhileSyncing && progress.Activity == "Syncing")
            {
                observer.WroteWhileSyncing = true;
                EngineSite.WriteAt(path, offset, EngineSite.RandomBytes(EngineSite.Block, seed: 5));
            }
        };
        return observer;
    }

    /// <summary>Set once <see cref="WritingOnceWhileSyncing"/> has written.</summary>
    public bool WroteWhileSyncing { get; private set; }

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
