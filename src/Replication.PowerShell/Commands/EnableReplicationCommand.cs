using System.Collections.Generic;
using System.Management.Automation;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Resumes paused replication, or re-creates the replica after a promotion or a fault. After a promotion it replicates
/// back to the former primary, overwriting its differing blocks: hence high impact. Quiet, as Enable- cmdlets are;
/// -PassThru writes the round that made each replica consistent again (what it read and wrote).
/// </summary>
[Cmdlet(VerbsLifecycle.Enable, "Replication", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
[OutputType(typeof(SyncResult))]
public sealed class EnableReplicationCommand : VolumeOrGroupTargetCommand
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Overwrite a fenced former primary even if it may hold writes made after it was fenced (split brain).</summary>
    [Parameter]
    public SwitchParameter DiscardFencedWrites { get; set; }

    /// <summary>Re-enables without asking for confirmation (-WhatIf still only reports).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override bool ShowsRunProgress => true;

    protected override void ProcessRecord()
    {
        foreach (var target in Targets())
        {
            if (target.IsGroup)
            {
                if (Approve(Force, target.Display, "Enable replication of every member of the replication group, overwriting differing blocks of the other copies"))
                {
                    ForItem(target.Name, () => Write(Engine.GroupOperations.Enable(target.Name, DiscardFencedWrites, Observer, Cancellation)));
                }
            }
            else if (Approve(Force, target.Name, Direction(target.Name)))
            {
                ForItem(target.Name, () => Write(new[] { Engine.Replication.Enable(target.Name, Observer, Cancellation, DiscardFencedWrites) }));
            }
        }
    }

    private void Write(IReadOnlyList<SyncResult> rounds)
    {
        if (PassThru)
        {
            WriteObject(rounds, enumerateCollection: true);
        }
    }

    /// <summary>The confirmation names the direction, so nobody overwrites the wrong site by accident.</summary>
    private string Direction(string name)
    {
        try
        {
            var replica = Engine.Replication.Get(name);
            return $"Enable replication {replica.PrimaryBackend} -> {replica.ReplicaBackend}, overwriting differing blocks of the copy on {replica.ReplicaBackend}";
        }
        catch (Replication.Engine.Errors.ReplicationException)
        {
            return "Enable replication, overwriting differing blocks of the other copy";
        }
    }
}
