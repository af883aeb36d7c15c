using System;
using System.Linq;
using Replication.Engine.Model;
using Replication.Engine.Replication;

namespace Replication.Engine.State.Sql;

/// <summary>The whole store as records, and back: a copy to or from another store.</summary>
internal abstract partial class SqlStateSession
{
    public StateContents ExportContents()
    {
        var volumes = ListVolumes(VolumeQuery.All);
        return new StateContents
        {
            StoreId = StoreIdentity(),
            Backends = ListBackends(),
            VolumeTypes = ListVolumeTypes(),
            Volumes = volumes,
            BlockMaps = Query("SELECT volume_id, block_size, volume_size, hashes FROM block_maps;",
                    r => (Id: Guid.Parse(r.GetString(0)), Map: BlockMapStorage.Decode((int)r.GetInt64(1), r.GetInt64(2), r.GetFieldValue<byte[]>(3))))
                .ToDictionary(m => m.Id, m => m.Map),
            Leases = Query($"SELECT {LeaseColumns} FROM volume_leases ORDER BY {ByBytes("volume_id")};", ReadLease),
            Groups = ListGroups(),
            GroupRounds = Query($"SELECT {GroupRoundColumns} FROM group_rounds ORDER BY {ByName("group_name")}, round;", ReadGroupRound),
            GroupPromotions = Query($"SELECT group_name, started_at, planned FROM group_promotions ORDER BY {ByName("group_name")};", r => new GroupPromotion
            {
                GroupName = r.GetString(0),
                StartedAt = DbText.ParseTime(r.GetString(1)),
                Planned = r.GetInt64(2) != 0,
            }),
            DrTests = ListDrTests(new DrTestQuery()),
            Events = ListEvents(new EventQuery()),
            DriverRegistrations = ListDriverRegistrations(),
            RecoveryPoints = ListAllRecoveryPoints(),
            RecoveryRollbacks = Query($"SELECT volume_id, round, started_at FROM recovery_rollbacks ORDER BY {ByBytes("volume_id")};", r => new RecoveryRollbackRecord
            {
                VolumeId = Guid.Parse(r.GetString(0)),
                Round = r.GetInt64(1),
                StartedAt = DbText.ParseTime(r.GetString(2)),
            }),
            Snapshots = ListSnapshots(null),
        };
    }

    public void ImportContents(StateContents contents)
    {
        // A copy is the same store in a new place: it keeps the identity its backends' folders are marked with.
        Run("UPDATE store_identity SET id = @id;", ("id", contents.StoreId.ToString("N")));
        foreach (var backend in contents.Backends)
        {
            InsertBackend(backend);
            UpdateBackend(backend);
        }

        foreach (var volumeType in contents.VolumeTypes)
        {
            InsertVolumeType(volumeType);
        }

        foreach (var group in contents.Groups)
        {
            InsertGroup(group);
        }

        foreach (var volume in contents.Volumes)
        {
            InsertVolume(volume);
        }

        foreach (var map in contents.BlockMaps)
        {
            SaveBlockMap(map.Key, map.Value);
        }

        foreach (var lease in contents.Leases)
        {
            PutLease(lease);
        }

        foreach (var round in contents.GroupRounds)
        {
            PutGroupRound(round);
        }

        foreach (var promotion in contents.GroupPromotions)
        {
            PutGroupPromotion(promotion.GroupName, promotion.StartedAt, promotion.Planned);
        }

        foreach (var test in contents.DrTests)
        {
            Run($"INSERT INTO dr_tests (id, {DrTestColumns}) VALUES (@id, {DrTestValues});", DrTestParameters(test).Append(("id", test.TestId)).ToArray());
        }

        foreach (var e in contents.Events)
        {
            Run($"INSERT INTO events (id, {EventColumns}) VALUES (@id, {EventValues});", EventParameters(e).Append(("id", e.Id)).ToArray());
        }

        foreach (var registration in contents.DriverRegistrations)
        {
            InsertDriverRegistration(registration);
        }

        foreach (var point in contents.RecoveryPoints)
        {
            PutRecoveryPoint(point);
        }

        foreach (var rollback in contents.RecoveryRollbacks)
        {
            PutRecoveryRollback(rollback.VolumeId, rollback.Round, rollback.StartedAt);
        }

        foreach (var snapshot in contents.Snapshots)
        {
            InsertSnapshot(snapshot);
        }

        AfterImport();
    }
}
