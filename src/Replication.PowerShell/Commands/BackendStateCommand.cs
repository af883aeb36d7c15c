using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>Freeze and thaw: one engine call per named backend, each confirmed, each failure its own error.</summary>
public abstract class BackendStateCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Backend")]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string[] Name { get; set; } = System.Array.Empty<string>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>What -WhatIf and -Confirm say the command does to a backend.</summary>
    private protected abstract string Action { get; }

    private protected abstract StorageBackend Change(string name);

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (ShouldProcess(name, Action))
            {
                ForItem(name, () =>
                {
                    var backend = Change(name);
                    if (PassThru)
                    {
                        WriteObject(backend);
                    }
                });
            }
        }
    }
}
