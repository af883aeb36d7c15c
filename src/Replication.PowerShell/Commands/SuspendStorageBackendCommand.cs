using System.Management.Automation;
using Replication.Engine.Model;

namespace Replication.PowerShell.Commands;

/// <summary>Freezes a backend (Cinder's freeze): nothing on it changes through the module until Resume-StorageBackend; sync rounds go on.</summary>
[Cmdlet(VerbsLifecycle.Suspend, "StorageBackend", SupportsShouldProcess = true)]
[OutputType(typeof(StorageBackend))]
public sealed class SuspendStorageBackendCommand : BackendStateCommand
{
    private protected override string Action => "Freeze backend: refuse create, delete, promotion and re-enable on it";

    private protected override StorageBackend Change(string name) => Engine.Backends.Freeze(name);
}
