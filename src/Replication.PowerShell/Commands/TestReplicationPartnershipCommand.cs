using System;
using System.Collections.Generic;
using System.Management.Automation;
using Replication.Engine.Preflight;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Pre-flight checks of a backend pair (Storage Replica's Test-SRTopology, for this module): the pairing, each side's
/// folder (reachable, writable, sparse files, clock), block sizes, and the space each side needs for its replicas. One
/// result per check; a failed check is a result, not an error.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ReplicationPartnership", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PreflightResult))]
public sealed class TestReplicationPartnershipCommand : ReplicationCmdlet
{
    private readonly HashSet<string> _checkedPairs = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The backend to check; bound from a storage backend's Name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string Backend { get; set; } = "";

    /// <summary>The backend to check it with; by default the partner it names (bound from ReplicationPartner).</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("ReplicationPartner")]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string? Partner { get; set; }

    protected override void ProcessRecord() => ForItem(Backend, () =>
    {
        var partner = string.IsNullOrWhiteSpace(Partner) ? null : Partner;
        var backend = Engine.Backends.Get(Backend);
        var other = partner ?? backend.ReplicationPartner;
        var pair = other is null ? backend.Name : string.CompareOrdinal(backend.Name.ToUpperInvariant(), other.ToUpperInvariant()) < 0 ? $"{backend.Name}|{other}" : $"{other}|{backend.Name}";
        if (!_checkedPairs.Add(pair))
        {
            WriteVerbose($"'{backend.Name}' and '{other}' were already checked in this run.");
            return;
        }

        var target = other is null ? backend.Name : $"{backend.Name} and {other}";
        if (!ShouldProcess(target, "Check the replication partnership (writes and removes probe files in the backend folders)"))
        {
            return;
        }

        foreach (var result in new PartnershipPreflight(Engine.Context).Run(backend.Name, partner, Observer))
        {
            WriteObject(result);
        }
    });
}
