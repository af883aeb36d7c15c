using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json;
using Replication.Engine.Model;
using Replication.Engine.Replication;

namespace Replication.Engine.State;

/// <summary>
/// Every row of a state store, as records: what a copy moves from one store to another. Event and DR test ids are kept,
/// so history reads the same in the copy.
/// </summary>
public sealed class StateContents
{
    /// <summary>The store's identity (what its backends' storage is marked with); a copy takes it along.</summary>
    public Guid StoreId { get; init; }

    public IReadOnlyList<BackendRecord> Backends { get; init; } = Array.Empty<BackendRecord>();

    public IReadOnlyList<VolumeTypeRecord> VolumeTypes { get; init; } = Array.Empty<VolumeTypeRecord>();

    public IReadOnlyList<VolumeRecord> Volumes { get; init; } = Array.Empty<VolumeRecord>();

    public IReadOnlyDictionary<Guid, BlockMap> BlockMaps { get; init; } = new Dictionary<Guid, BlockMap>();

    public IReadOnlyList<VolumeLease> Leases { get; init; } = Array.Empty<VolumeLease>();

    public IReadOnlyList<GroupRecord> Groups { get; init; } = Array.Empty<GroupRecord>();

    public IReadOnlyList<GroupRound> GroupRounds { get; init; } = Array.Empty<GroupRound>();

    public IReadOnlyList<GroupPromotion> GroupPromotions { get; init; } = Array.Empty<GroupPromotion>();

    public IReadOnlyList<DrTestResult> DrTests { get; init; } = Array.Empty<DrTestResult>();

    public IReadOnlyList<ReplicationEvent> Events { get; init; } = Array.Empty<ReplicationEvent>();

    public IReadOnlyList<DriverRegistrationRecord> DriverRegistrations { get; init; } = Array.Empty<DriverRegistrationRecord>();

    public IReadOnlyList<RecoveryPointRecord> RecoveryPoints { get; init; } = Array.Empty<RecoveryPointRecord>();

    public IReadOnlyList<RecoveryRollbackRecord> RecoveryRollbacks { get; init; } = Array.Empty<RecoveryRollbackRecord>();

    public IReadOnlyList<SnapshotRecord> Snapshots { get; init; } = Array.Empty<SnapshotRecord>();

    public bool IsEmpty =>
        Backends.Count == 0 && VolumeTypes.Count == 0 && Volumes.Count == 0 && BlockMaps.Count == 0 && Leases.Count == 0 &&
        Groups.Count == 0 && GroupRounds.Count == 0 && GroupPromotions.Count == 0 && DrTests.Count == 0 && Events.Count == 0 &&
        DriverRegistrations.Count == 0 && RecoveryPoints.Count == 0 && RecoveryRollbacks.Count == 0 && Snapshots.Count == 0;

    /// <summary>
    /// A SHA-256 of every value in a fixed order: equal fingerprints mean two stores hold the same rows, which is how a
    /// copy proves that it lost nothing.
    /// </summary>
    public string Fingerprint()
    {
        var canonical = new
        {
            StoreId,
            Backends = Backends.OrderBy(b => b.Name, StringComparer.OrdinalIgnoreCase),
            VolumeTypes = VolumeTypes.OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase)
                .Select(t => new { t.Name, t.Description, t.CreatedAt, ExtraSpecs = t.ExtraSpecs.OrderBy(s => s.Key, StringComparer.Ordinal) }),
            Volumes = Volumes.OrderBy(v => v.Id),
            BlockMaps = BlockMaps.OrderBy(m => m.Key).Select(m => new { VolumeId = m.Key, m.Value.BlockSize, m.Value.VolumeSize, Hashes = m.Value.ToBytes() }),
            Leases = Leases.OrderBy(l => l.VolumeId),
            Groups = Groups.OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase),
            GroupRounds = GroupRounds.OrderBy(r => r.Token),
            GroupPromotions = GroupPromotions.OrderBy(p => p.GroupName, StringComparer.OrdinalIgnoreCase),
            DrTests = DrTests.OrderBy(t => t.TestId),
            Events = Events.OrderBy(e => e.Id),
            DriverRegistrations = DriverRegistrations.OrderBy(d => d.Name, StringComparer.OrdinalIgnoreCase),
            RecoveryPoints = RecoveryPoints.OrderBy(p => p.VolumeId).ThenBy(p => p.Round),
            RecoveryRollbacks = RecoveryRollbacks.OrderBy(r => r.VolumeId),
            Snapshots = Snapshots.OrderBy(s => s.Id),
        };
        var json = JsonConvert.SerializeObject(canonical, new JsonSerializerSettings { DateFormatString = "o", Culture = System.Globalization.CultureInfo.InvariantCulture });
        using var sha = SHA256.Create();
        return BitConverter.ToString(sha.ComputeHash(Encoding.UTF8.GetBytes(json))).Replace("-", "");
    }
}
