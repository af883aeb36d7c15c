using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Replication.Engine.Model;

namespace Replication.PowerShell.Infrastructure;

/// <summary>Completes replication statuses in Cinder's spelling, the one the views show.</summary>
public sealed class ReplicationStatusCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ReplicationStatusText.All
            .Select(status => status.ToCinder())
            .Where(text => text.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(text => new CompletionResult(text, text, CompletionResultType.ParameterValue, text));
}
