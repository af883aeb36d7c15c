using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Replication.Engine;
using Replication.Engine.State;

namespace Replication.PowerShell.Infrastructure;

/// <summary>Tab completion from the session's state file; a state file that cannot be read completes nothing.</summary>
public abstract class NameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IEnumerable<string> names;
        try
        {
            names = Names(EngineSessions.Current());
        }
        catch (Exception)
        {
            // Completion must never throw at the prompt.
            return Array.Empty<CompletionResult>();
        }

        var pattern = WildcardPattern.Get(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return names.Where(pattern.IsMatch).Select(name => new CompletionResult(name, name, CompletionResultType.ParameterValue, name)).ToList();
    }

    protected abstract IEnumerable<string> Names(ReplicationEngine engine);
}

public sealed class BackendNameCompleter : NameCompleter
{
    protected override IEnumerable<string> Names(ReplicationEngine engine) => engine.Backends.List().Select(b => b.Name);
}

public sealed class VolumeTypeNameCompleter : NameCompleter
{
    protected override IEnumerable<string> Names(ReplicationEngine engine) => engine.VolumeTypes.List().Select(t => t.Name);
}

public sealed class VolumeNameCompleter : NameCompleter
{
    protected override IEnumerable<string> Names(ReplicationEngine engine) => engine.Volumes.List(VolumeQuery.All).Select(v => v.Name);
}

/// <summary>Volumes whose replica a test volume can be cloned from now: not test volumes, not copying, promoted or in error.</summary>
public sealed class ReplicaSourceNameCompleter : NameCompleter
{
    protected override IEnumerable<string> Names(ReplicationEngine engine) => engine.Volumes.ReplicaSources();
}

public sealed class DriverNameCompleter : NameCompleter
{
    protected override IEnumerable<string> Names(ReplicationEngine engine) => engine.Context.Drivers.Names;
}

public sealed class GroupNameCompleter : NameCompleter
{
    protected override IEnumerable<string> Names(ReplicationEngine engine) => engine.Groups.List().Select(g => g.Name);
}
