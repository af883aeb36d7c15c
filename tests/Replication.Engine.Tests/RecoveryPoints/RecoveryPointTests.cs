using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using Replication.Engine.Errors;
using Replication.Engine.Preflight;
using Replication.Engine.RecoveryPoints;
using Replication.Engine.Replication;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.RecoveryPoints;

/// <summary>Rounds kept as recovery points: each point reads back, byte for byte, the primary as the round copied it.</summary>
[UnsupportedOSPlatform("windows")]
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class RecoveryPointTests : IDisposable
{
    private const string Vol = "db01";
    private const string Type = "points";
    private const long Size = 4 * MiB;

    private readonly EngineSite site = new();

    public RecoveryPointTests() => site.AddPairedBackends();

    public void Dispose() => site.Dispose();

    [UnixFact]
    public void EveryKeptRoundReadsBackAsThePrimaryWasWhenItWasCopied()
    {
        PointsType(("replication:recovery_points", "10"));
        site.CreateVolume(Vol, Size, Type);
        Prefill();
        var asOfRound = SyncRounds(5);

        var points = site.Engine.RecoveryPoints.List(Vol).Where(p => asOfRound.ContainsKey(p.Round)).ToList();

        Assert.Equal(asOfRound.Keys.OrderByDescending(r => r), points.Select(p => p.Round));
        Assert.True(points[0].Newest);
        Assert.Equal(0, points[0].BytesHeld);
        foreach (var point in points)
        {
            Assert.Equal(asOfRound[point.Round], ReadPoint(point.Round));
            var check = site.Engine.RecoveryPoints.Verify(Vol, point.Round, site.Quiet, CancellationToken.None);
            Assert.True(check.Passed, $"round {point.Round}: {check.BlocksDiffering} blocks differ");
        }

        // Each older point holds exactly the data the next round overwrote (two blocks of 64 KiB), plus its entries.
        Assert.All(points.Skip(1), p => Assert.InRange(p.BytesHeld, 2 * Block, (2 * Block) * 1.1));
    }

    [UnixFact]
    public void RetentionByCount_KeepsTheNewestPoints_AndRemovesTheUndoLogsNoPointNeeds()
    {
        PointsType(("replication:recovery_points", "3"));
        var id = site.CreateVolume(Vol, Size, Type).Id;
        var asOfRound = SyncRounds(6);

        var points = site.Engine.RecoveryPoints.List(Vol);

        Assert.Equal(asOfRound.Keys.OrderByDescending(r => r).Take(3), points.Select(p => p.Round));
        Assert.Equal(points.Skip(1).Select(p => p.Round).OrderBy(r => r), UndoRounds(id));
        Assert.Equal(asOfRound[points[^1].Round], ReadPoint(points[^1].Round));
    }

    [UnixFact]
    public void RetentionByAgeAndSpace_PruneTheOldestAtTheNextRound()
    {
        PointsType(("replication:recovery_points", "10"), ("replication:recovery_window_hours", "1"));
        site.CreateVolume(Vol, Size, Type);
        SyncRounds(3);
        site.Clock.Advance(TimeSpan.FromHours(2));
        var asOfRound = SyncRounds(2);

        Assert.Equal(asOfRound.Keys.OrderByDescending(r => r), site.Engine.RecoveryPoints.List(Vol).Select(p => p.Round));

        // A space cap of 2.5 blocks keeps the newest point and one whose log (two blocks) fits.
        Prefill();
        site.Engine.VolumeTypes.Change(Type, new Dictionary<string, string> { ["replication:recovery_space_gb"] = (2.5 * Block / (1L << 30)).ToString("R", System.Globalization.CultureInfo.InvariantCulture) },
            Array.Empty<string>(), null, force: false);
        var more = SyncRounds(3);
        var points = site.Engine.RecoveryPoints.List(Vol);
        Assert.Equal(more.Keys.OrderByDescending(r => r).Take(2), points.Select(p => p.Round));
        Assert.Equal(more[points[1].Round], ReadPoint(points[1].Round));
    }

    [UnixFact]
    public void ThePolicyRemoved_DropsEveryPointAndUndoLogAtTheNextRound()
    {
        PointsType(("replication:recovery_points", "5"));
        var id = site.CreateVolume(Vol, Size, Type).Id;
        SyncRounds(3);
        Assert.NotEmpty(UndoRounds(id));

        site.Engine.VolumeTypes.Change(Type, new Dictionary<string, string>(), new[] { "replication:recovery_points" }, null, force: false);
        SyncRounds(1);

        Assert.Empty(site.Engine.RecoveryPoints.List(Vol));
        Assert.Empty(UndoRounds(id));
    }

    [UnixFact]
    public void ChosenByRoundOrLatestBefore_AndRefusedWhenThereIsNone()
    {
        PointsType(("replication:recovery_points", "5"));
        site.CreateVolume(Vol, Size, Type);
        SyncRounds(3);
        var points = site.Engine.RecoveryPoints.List(Vol);

        Assert.Equal(points[1].Round, site.Engine.RecoveryPoints.Choose(Vol, points[1].Round, null).Round);
        Assert.Equal(points[1].Round, site.Engine.RecoveryPoints.Choose(Vol, null, points[0].DataTimestamp).Round);
        var none = Assert.Throws<ReplicationException>(() => site.Engine.RecoveryPoints.Choose(Vol, null, points[^1].DataTimestamp));
        Assert.Equal(ErrorIds.RecoveryPointNotFound, none.ErrorId);
    }

    [UnixFact]
    public void InsideItsImmutabilityWindow_APointIsNotRemoved_AndOutsideItIs()
    {
        PointsType(("replication:recovery_points", "5"), ("replication:recovery_immutable_hours", "24"));
        site.CreateVolume(Vol, Size, Type);
        SyncRounds(3);
        var oldest = site.Engine.RecoveryPoints.List(Vol)[^1];
        Assert.NotNull(oldest.ImmutableUntil);

        var refused = Assert.Throws<ReplicationException>(() => site.Engine.RecoveryPoints.Remove(Vol, oldest.Round));

        Assert.Equal(ErrorIds.RecoveryPointImmutable, refused.ErrorId);
        site.Clock.Advance(TimeSpan.FromHours(25));
        site.Engine.RecoveryPoints.Remove(Vol, oldest.Round);
        Assert.DoesNotContain(site.Engine.RecoveryPoints.List(Vol), p => p.Round == oldest.Round);
        var newest = Assert.Throws<ReplicationException>(() => site.Engine.RecoveryPoints.Remove(Vol, site.Replica(Vol).SyncGeneration));
        Assert.Equal(ErrorIds.RecoveryPointInUse, newest.ErrorId);
    }

    [UnixFact]
    public void InsideTheImmutabilityWindow_RetentionPrunesNothing()
    {
        PointsType(("replication:recovery_points", "2"), ("replication:recovery_immutable_hours", "1"));
        site.CreateVolume(Vol, Size, Type);
        var asOfRound = SyncRounds(4);

        Assert.Equal(asOfRound.Keys.OrderByDescending(r => r), site.Engine.RecoveryPoints.List(Vol).Select(p => p.Round));
        site.Clock.Advance(TimeSpan.FromHours(2));
        SyncRounds(1);
        Assert.Equal(2, site.Engine.RecoveryPoints.List(Vol).Count);
    }

    [UnixFact]
    public void InsideTheImmutabilityWindow_APolicyChangeThatWouldPruneAPointIsRefused_AndOneThatKeepsThemIsNot()
    {
        PointsType(("replication:recovery_points", "5"), ("replication:recovery_immutable_hours", "24"));
        site.CreateVolume(Vol, Size, Type);
        SyncRounds(3);
        var none = Array.Empty<string>();

        var removed = Assert.Throws<ReplicationException>(() => site.Engine.VolumeTypes.Change(Type, new Dictionary<string, string>(), new[] { "replication:recovery_immutable_hours", "replication:recovery_points" }, null, force: false));
        var fewer = Assert.Throws<ReplicationException>(() => site.Engine.VolumeTypes.Change(Type, new Dictionary<string, string> { ["replication:recovery_points"] = "1" }, none, null, force: false));

        Assert.Equal(ErrorIds.RecoveryPointImmutable, removed.ErrorId);
        Assert.Equal(ErrorIds.RecoveryPointImmutable, fewer.ErrorId);
        site.Engine.VolumeTypes.Change(Type, new Dictionary<string, string> { ["replication:recovery_points"] = "3" }, none, null, force: false);
        site.Clock.Advance(TimeSpan.FromHours(25));
        site.Engine.VolumeTypes.Change(Type, new Dictionary<string, string> { ["replication:recovery_points"] = "1" }, none, null, force: false);
        SyncRounds(1);
        Assert.Single(site.Engine.RecoveryPoints.List(Vol));
    }

    [UnixFact]
    public void PreflightCountsWhatThePointsHold_AndTheirCapInTheProvisionedSpace()
    {
        PointsType(("replication:recovery_points", "5"), ("replication:recovery_space_gb", "1"));
        site.CreateVolume(Vol, Size, Type);
        Prefill();
        SyncRounds(2);
        var held = site.Engine.RecoveryPoints.List(Vol).Sum(p => p.BytesHeld);

        var results = new PartnershipPreflight(site.Engine.Context).Run("dc1", null, site.Quiet);

        var free = results.Single(r => r.CheckValue == PreflightCheck.FreeSpace && r.Backend == "dc2");
        Assert.Contains($"recovery points hold {Humane.Bytes(held)}", free.Detail, StringComparison.Ordinal);
        var provisioned = results.Single(r => r.CheckValue == PreflightCheck.ProvisionedSpace && r.Backend == "dc2");
        Assert.Contains($"{Humane.Bytes(1L << 30)} of it for the recovery points' undo logs up to their caps", provisioned.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replication:recovery_points", "0")]
    [InlineData("replication:recovery_points", "many")]
    [InlineData("replication:recovery_window_hours", "-1")]
    [InlineData("replication:recovery_space_gb", "lots")]
    [InlineData("replication:recovery_immutable_hours", "0")]
    public void ABadPolicyValue_IsRefusedWithInvalidExtraSpec(string key, string value)
    {
        var specs = new Dictionary<string, string> { ["replication:recovery_points"] = "3", [key] = value };

        var refused = Assert.Throws<ReplicationException>(() => site.AddReplicatedType(Type, specs));

        Assert.Equal(ErrorIds.InvalidExtraSpec, refused.ErrorId);
        Assert.Contains(key, refused.Message);
    }

    [Fact]
    public void ALimitWithoutACount_IsRefused()
    {
        var refused = Assert.Throws<ReplicationException>(() => site.AddReplicatedType(Type, new Dictionary<string, string> { ["replication:recovery_window_hours"] = "24" }));

        Assert.Equal(ErrorIds.InvalidExtraSpec, refused.ErrorId);
        Assert.Contains("replication:recovery_points", refused.Message);
    }

    /// <summary>Writes data in the 64 blocks the rounds overwrite, and syncs it, so what rounds overwrite is data, not holes.</summary>
    private void Prefill()
    {
        WriteAt(site.PrimaryFile(Vol), 0, RandomBytes(64 * Block, 7));
        site.Clock.Advance(TimeSpan.FromMinutes(1));
        site.Sync(Vol);
    }

    private void PointsType(params (string Key, string Value)[] specs) =>
        site.AddReplicatedType(Type, specs.ToDictionary(s => s.Key, s => s.Value));

    /// <summary>Runs rounds that each change two blocks; returns, per round recorded, the primary's bytes as it copied them.</summary>
    private Dictionary<long, byte[]> SyncRounds(int count)
    {
        var asOfRound = new Dictionary<long, byte[]>();
        var primary = site.PrimaryFile(Vol);
        for (var i = 0; i < count; i++)
        {
            var seed = Environment.TickCount + i;
            WriteAt(primary, (seed % 60) * (long)Block, RandomBytes(Block, seed));
            WriteAt(primary, ((seed % 60) + 1) * (long)Block, RandomBytes(Block, seed + 1));
            site.Clock.Advance(TimeSpan.FromMinutes(1));
            var round = site.Sync(Vol);
            asOfRound[round.SyncGeneration] = ReadAll(primary);
        }

        return asOfRound;
    }

    private byte[] ReadPoint(long round)
    {
        var snapshot = VolumeSnapshot.Load(site.Engine.Context.Store, Vol);
        using var device = site.Engine.RecoveryPoints.Open(snapshot, round);
        var bytes = new byte[device.Length];
        device.Read(0, bytes, 0, bytes.Length);
        return bytes;
    }

    private IReadOnlyList<long> UndoRounds(Guid id) =>
        Directory.EnumerateFiles(Path.Combine(site.FolderOf("dc2"), ".replication"), $"volume-{id:D}.undo-*.ok")
            .Select(f => long.Parse(Path.GetFileName(f).Substring($"volume-{id:D}.undo-".Length, 19), System.Globalization.CultureInfo.InvariantCulture))
            .OrderBy(r => r)
            .ToList();
}
