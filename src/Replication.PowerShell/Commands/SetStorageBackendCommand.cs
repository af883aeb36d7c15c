using System;
using System.Collections;
using System.Management.Automation;
using Replication.Engine.Catalog;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Changes a backend's declared capabilities, replication partner or driver settings; refused, naming the volumes, where that would break what it holds.</summary>
[Cmdlet(VerbsCommon.Set, "StorageBackend", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(StorageBackend))]
public sealed class SetStorageBackendCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Backend")]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Declared capabilities to add or replace, for example @{ tier = 'gold' }.</summary>
    [Parameter]
    public Hashtable? Capability { get; set; }

    /// <summary>Names of declared capabilities to remove.</summary>
    [Parameter]
    public string[] RemoveCapability { get; set; } = Array.Empty<string>();

    /// <summary>The new replication partner; an empty string removes it.</summary>
    [Parameter]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string? ReplicationPartner { get; set; }

    /// <summary>Driver settings to add or replace (not the folder).</summary>
    [Parameter]
    public Hashtable? Setting { get; set; }

    /// <summary>Write the changed backend.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var edit = new BackendEdit
        {
            Capabilities = Hashtables.ToValues(Capability),
            RemoveCapabilities = RemoveCapability,
            ChangePartner = MyInvocation.BoundParameters.ContainsKey(nameof(ReplicationPartner)),
            ReplicationPartner = ReplicationPartner,
            Settings = Hashtables.ToValues(Setting),
        };
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Change storage backend"))
            {
                continue;
            }

            ForItem(name, () =>
            {
                var backend = Engine.Backends.Change(name, edit);
                if (PassThru)
                {
                    WriteObject(backend);
                }
            });
        }
    }
}
