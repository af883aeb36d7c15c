using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Replication.Engine;
using Replication.Engine.Errors;
using Replication.Engine.Model;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// What every cmdlet of the module shares: the engine for the session's state file, engine errors turned into error
/// records, Ctrl+C turned into cancellation, and the engine's decisions and progress shown the PowerShell way.
/// </summary>
public abstract class ReplicationCmdlet : PSCmdlet
{
    private static int _nextActivityId;

    private readonly CancellationTokenSource _stop = new();
    private readonly int _itemActivityId = Interlocked.Increment(ref _nextActivityId);
    private int _itemsStarted;
    private ReplicationEngine? _engine;
    private CmdletObserver? _observer;
    private CommandNames? _names;

    protected CancellationToken Cancellation => _stop.Token;

    protected ReplicationEngine Engine => _engine ??= OpenEngine();

    /// <summary>This module's command names as the session calls them (with the prefix it was imported with).</summary>
    internal CommandNames Names => _names ??= CommandNames.For(this);

    /// <summary>Decisions and progress of the engine; progress nests under the run's bar when the command shows one.</summary>
    protected IOperationObserver Observer => _observer ??= new CmdletObserver(this, Names, Interlocked.Increment(ref _nextActivityId), _itemsStarted > 0 ? _itemActivityId : -1);

    protected override void StopProcessing() => _stop.Cancel();

    protected override void EndProcessing()
    {
        if (_itemsStarted > 0)
        {
            WriteProgress(new ProgressRecord(_itemActivityId, MyInvocation.MyCommand.Name, "Done") { RecordType = ProgressRecordType.Completed });
        }

        _stop.Dispose();
    }

    /// <summary>
    /// Moves the bar of a run over many volumes to the next one; each volume's own progress shows beneath it. The total
    /// is known for names given as an array, not for names arriving through the pipeline.
    /// </summary>
    protected void StartItem(string target, int? total)
    {
        _itemsStarted++;
        var record = new ProgressRecord(_itemActivityId, MyInvocation.MyCommand.Name,
            total is { } all ? $"{target} ({_itemsStarted} of {all})" : $"{target} (volume {_itemsStarted})");
        if (total is { } count)
        {
            record.PercentComplete = Math.Min(100, (_itemsStarted - 1) * 100 / count);
        }

        WriteProgress(record);
    }

    /// <summary>
    /// Runs the work for one input item. An engine error about the item becomes a non-terminating error (the pipeline
    /// goes on with the next item and -ErrorAction decides); a state store that cannot be used stops the command.
    /// </summary>
    protected void ForItem(object? target, Action work)
    {
        try
        {
            work();
        }
        catch (ReplicationException ex) when (ex.ErrorId.StartsWith("StateStore", StringComparison.Ordinal))
        {
            ThrowTerminatingError(ErrorRecords.From(ex, Names, Names));
        }
        catch (ReplicationException ex)
        {
            WriteError(ErrorRecords.From(ex, Names, target));
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (ex is not RuntimeException)
        {
            WriteError(ErrorRecords.Unexpected(ex, target));
        }
    }

    /// <summary>
    /// Runs engine work that reports from several threads (a backend failover's parallel volumes) and writes what it
    /// reports on this, the pipeline thread. <paramref name="work"/> gets the engine (resolved here: the session's state
    /// file is known only on the pipeline thread), the observer and a way to emit results.
    /// </summary>
    protected void RunParallelWork<T>(Action<ReplicationEngine, IOperationObserver, Action<T>> work, Action<T> write)
    {
        var engine = Engine;
        using var queue = new BlockingCollection<Action>();
        var observer = new QueuedObserver(Observer, queue);
        var running = Task.Run(() =>
        {
            try
            {
                work(engine, observer, result => queue.Add(() => write(result)));
            }
            finally
            {
                queue.CompleteAdding();
            }
        });
        foreach (var report in queue.GetConsumingEnumerable())
        {
            report();
        }

        running.GetAwaiter().GetResult();
    }

    /// <summary>
    /// ShouldProcess, except that -Force stands for -Confirm:$false on the cmdlets that offer it; -WhatIf and an explicit
    /// -Confirm still win.
    /// </summary>
    protected bool Approve(bool force, string target, string action) =>
        (force && !WhatIfRequested && !MyInvocation.BoundParameters.ContainsKey("Confirm")) || ShouldProcess(target, action);

    /// <summary>
    /// Get-style selection: no names gives everything; a wildcard gives what matches (maybe nothing); a literal name
    /// that matches nothing writes an ObjectNotFound error with the engine's not-found ErrorId. The names are matched
    /// in what <paramref name="source"/> reads for them: by key, or the whole set once per pipeline.
    /// </summary>
    internal IEnumerable<T> SelectByName<T>(PipelineNames<T> source, string[]? names, string kind, string notFoundErrorId)
    {
        if (names is null || names.Length == 0)
        {
            return source.All();
        }

        var matching = source.MatcherFor(names);
        var selected = new List<T>();
        var seen = new HashSet<T>();
        foreach (var name in names)
        {
            var matches = matching(name).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(ErrorRecords.Create(notFoundErrorId, ErrorCategory.ObjectNotFound, $"There is no {kind} named '{name}'.", name));
            }

            selected.AddRange(matches.Where(seen.Add));
        }

        return selected;
    }

    /// <summary>A replication status parameter (Cinder's spelling or the enum name); a word that is none stops the command with InvalidReplicationStatus.</summary>
    protected ReplicationStatus? ParseReplicationStatus(string? text)
    {
        try
        {
            return text is null ? null : ReplicationStatusText.Parse(text);
        }
        catch (ReplicationException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex, Names, Names));
            throw;
        }
    }

    private bool WhatIfRequested => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf)
        ? ((SwitchParameter)whatIf).IsPresent
        : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference", false));

    private ReplicationEngine OpenEngine()
    {
        try
        {
            return EngineSessions.Current();
        }
        catch (ReplicationException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex, Names, EngineSessions.CurrentAddress.Display));
            throw;
        }
    }
}
