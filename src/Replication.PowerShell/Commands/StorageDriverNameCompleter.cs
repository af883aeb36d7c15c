using System.Collections.Generic;
using System.Linq;
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
