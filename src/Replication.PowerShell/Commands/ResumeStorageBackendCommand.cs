using System.Management.Automation;
using Replication.Engine.Model;

namespace Replication.PowerShell.Commands;

/// <summary>Thaws a frozen backend (Cinder's thaw): changes on it are allowed again.</summary>
[Cmdlet(VerbsLifecycle.Resume, "StorageBackend", SupportsShouldProcess = true)]
[OutputType(typeof(StorageBackend))]
public sealed class ResumeStorageBackendCommand : BackendStateCommand
{
    private protected override string Action => "Thaw backend";

    private protected override StorageBackend Change(string name) => Engine.Backends.Thaw(name);
}
