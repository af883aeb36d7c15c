using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Replication.Engine;
using Replication.Engine.Drivers.Loading;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>The registered storage drivers' names, for the cmdlets that work on registrations.</summary>
public sealed class RegisteredDriverNameCompleter : NameCompleter
{
    protected override IEnumerable<string> Names(ReplicationEngine engine) =>
        new StorageDriverCatalog(engine.Context).Registrations().Select(r => r.Name);
}

/// <summary>Every storage driver's name: built in and registered.</summary>
public sealed class StorageDriverNameCompleter : NameCompleter
{
    protected override IEnumerable<string> Names(ReplicationEngine engine) =>
        engine.Context.Drivers.Names.Concat(new StorageDriverCatalog(engine.Context).Registrations().Select(r => r.Name));
}

/// <summary>The installed modules whose manifest declares a storage driver (Register-StorageDriver -ModuleName).</summary>
public sealed class DriverModuleNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IEnumerable<string> names;
        try
        {
            names = InstalledDriverModules.Find().Select(m => m.ModuleName).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }
        catch (Exception)
        {
            // Completion must never throw at the prompt.
            return Array.Empty<CompletionResult>();
        }

        var pattern = WildcardPattern.Get(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return names.Where(pattern.IsMatch).Select(name => new CompletionResult(name, name, CompletionResultType.ParameterValue, name)).ToList();
    }
}
