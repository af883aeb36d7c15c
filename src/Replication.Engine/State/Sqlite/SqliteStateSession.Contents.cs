using System;
using System.Linq;
using Replication.Engine.Model;

namespace Replication.Engine.State.Sqlite;

/// <summary>The whole state file as records, and back: a copy to or from another store.</summary>
internal sealed partial class SqliteStateSession
{
    public StateContents ExportContents()
    {
        var volumes = ListVolumes(VolumeQuery.All);
        return new StateContents
        {
            Backends = ListBackends(),
            VolumeTypes = ListVolumeTypes(),
            Volumes = volumes,
            BlockMaps = volumes.Select(v => (v.Id, Map: LoadBlockMap(v.Id))).Where(m => m.Map is not null).ToDictionary(m => m.Id, m => m.Map!),
            Leases = Query("SELECT volume_id FROM volume_leases ORDER BY volume_id;", r => Guid.Parse(r.GetString(0))).Select(id => FindLease(id)!).ToList(),
            Groups = ListGroups(),
            GroupRounds = Query("SELECT token, group_name, round, started_at, committed_at FROM group_rounds ORDER BY group_name, round;", ReadGroupRound),
            GroupPromotions = Query("SELECT group_name, started_at, planned FROM group_promotions ORDER BY group_name;", r => new GroupPromotion
            {
                GroupName = r.GetString(0),
                StartedAt = DbText.ParseTime(r.GetString(1)),
                Planned = r.GetInt64(2) != 0,
            }),
            DrTests = ListDrTests(new DrTestQuery()),
            Events = ListEvents(new EventQuery()),
        };
    }

    public void ImportContents(StateContents contents)
    {
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
            Execute($"INSERT INTO dr_tests (id, {DrTestColumns}) VALUES ($id, $volume, $type, $replica, $outcome, $reason, $verified, $compared, $mismatched, $gen, $data, $age, $rpo, $ready, $test, $kept, $started, $duration, $actor);",
                DrTestParameters(test).Append(("$id", test.TestId)).ToArray());
        }

        foreach (var e in contents.Events)
        {
            Execute(
                "INSERT INTO events (id, at, actor, operation, object_type, object_name, volume_id, from_status, to_status, message) " +
                "VALUES ($id, $at, $actor, $op, $type, $name, $volume, $from, $to, $message);",
                EventParameters(e).Append(("$id", e.Id)).ToArray());
        }
    }
}
