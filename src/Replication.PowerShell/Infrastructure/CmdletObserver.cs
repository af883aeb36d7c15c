using System;
using System.Management.Automation;
using Replication.Engine;
using Replication.Engine.Model;

namespace Replication.PowerShell.Infrastructure;

/// <summary>Shows the engine's decisions as verbose messages and its progress as a progress bar with rate and time left.</summary>
internal sealed class CmdletObserver : IOperationObserver
{
    private readonly Cmdlet _cmdlet;
    private readonly CommandNames _names;
    private readonly int _activityId;
    private readonly int _parentActivityId;

    /// <param name="parentActivityId">The bar of the command's whole run over many volumes, or -1 when there is none.</param>
    public CmdletObserver(Cmdlet cmdlet, CommandNames names, int activityId, int parentActivityId)
    {
        _cmdlet = cmdlet;
        _names = names;
        _activityId = activityId;
        _parentActivityId = parentActivityId;
    }

    public void Decision(string message) => _cmdlet.WriteVerbose(_names.Render(message));

    public void Progress(OperationProgress progress)
    {
        var record = new ProgressRecord(_activityId, $"{progress.Activity} {progress.Target}",
            $"{Humane.Bytes(progress.BytesDone)} of {Humane.Bytes(progress.BytesTotal)} at {Humane.Bytes((long)progress.BytesPerSecond)}/s")
        {
            PercentComplete = progress.PercentComplete,
            SecondsRemaining = progress.Remaining is { } left ? (int)Math.Ceiling(left.TotalSeconds) : -1,
            RecordType = progress.BytesDone >= progress.BytesTotal ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            ParentActivityId = _parentActivityId,
        };
        _cmdlet.WriteProgress(record);
    }
}
