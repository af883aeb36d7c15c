using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Versioning;
using Replication.Engine.Replication;
using Replication.Engine.Tests.Groups;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.RecoveryPoints;

/// <summary>A group round makes a point of every member at the same group round, each reading as its member was then.</summary>
[UnsupportedOSPlatform("windows")]
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class GroupRecoveryPointTests : IDisposable
{
    private readonly GroupSite group = new();

    public void Dispose() => group.Dispose();

    [UnixFact]
    public void EveryMemberHasAPointOfEachGroupRound_ReadingAsItWasThen()
    {
        group.Engine.VolumeTypes.Change(ReplicatedType, new Dictionary<string, string> { ["replication:recovery_points"] = "5" }, Array.Empty<string>(), null, force: false);
        group.CreateSyncedGroup("a", "b");
        var asOf = new Dictionary<(string Member, long GroupRound), byte[]>();
        for (var i = 0; i < 3; i++)
        {
            group.Write("a", 3 + i, 200 + i);
            group.Write("b", 5 + i, 300 + i);
            group.SyncGroup();
            var round = group.Get().LastRound!.Value;
            asOf[("a", round)] = ReadAll(group.Site.PrimaryFile("a"));
            asOf[("b", round)] = ReadAll(group.Site.PrimaryFile("b"));
        }

        foreach (var member in new[] { "a", "b" })
        {
            var points = group.Engine.RecoveryPoints.List(member).Where(p => asOf.ContainsKey((member, p.GroupRound ?? -1))).ToList();
            Assert.Equal(3, points.Count);
            Assert.All(points, p => Assert.Equal(GroupSite.Group, p.GroupName));
            foreach (var point in points)
            {
                using var device = group.Engine.RecoveryPoints.Open(VolumeSnapshot.Load(group.Engine.Context.Store, member), point.Round);
                var bytes = new byte[device.Length];
                device.Read(0, bytes, 0, bytes.Length);
                Assert.Equal(asOf[(member, point.GroupRound!.Value)], bytes);
            }
        }
    }
}
