using System.Collections.Generic;
using System.Linq;
using Replication.Engine;

namespace Replication.PowerShell.Infrastructure;

/// <summary>The names of every volume snapshot (New-Volume -Snapshot, Get- and Remove-VolumeSnapshot -Name).</summary>
public sealed class SnapshotNameCompleter : NameCompleter
{
    protected override IEnumerable<string> Names(ReplicationEngine engine) => engine.Snapshots.List(null).Select(s => s.Name);
}
