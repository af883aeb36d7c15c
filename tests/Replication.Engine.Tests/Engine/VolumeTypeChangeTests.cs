using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// Set-VolumeType's rules through the real engine: specs change in place and apply to the type's volumes at once; a change
/// the volumes' backends do not meet, or one that would change whether they replicate, is refused and changes nothing.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class VolumeTypeChangeTests : IDisposable
{
    private static readonly IReadOnlyCollection<string> NoKeys = Array.Empty<string>();
    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public void Dispose() => site.Dispose();

    [Fact]
    public void AnRpoTargetSetOnATypeInUse_JudgesItsReplicasAtOnce_AndIsOneEvent()
    {
        site.CreateVolume("db01", 4 * MiB);
        site.Sync("db01");
        site.Clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal("Normal", site.Replica("db01").Health);

        var change = site.Engine.VolumeTypes.Change(ReplicatedType, Specs(("replication:rpo_minutes", "15")), NoKeys, "gold tier", force: false);

        Assert.Empty(change.VolumesNotMeetingSpecs);
        Assert.Equal("15", site.Engine.VolumeTypes.Get(ReplicatedType).ExtraSpecs["replication:rpo_minutes"]);
        Assert.Equal("gold tier", site.Engine.VolumeTypes.Get(ReplicatedType).Description);
        Assert.NotEqual("Normal", site.Replica("db01").Health);
        var recorded = site.EventsOf(ReplicatedType, newest: 1).Single();
        Assert.Equal("ChangeVolumeType", recorded.Operation);
        Assert.Contains("replication:rpo_minutes='15'", recorded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACapabilityTheVolumesBackendLacks_IsRefusedNamingTheVolume_AndWithForceIsMadeAndReported()
    {
        site.CreateVolume("db01", 4 * MiB);
        var before = site.Engine.VolumeTypes.Get(ReplicatedType);
        var iscsi = Specs(("capabilities:storage_protocol", "iSCSI"));

        var refused = Refused(ErrorIds.VolumeTypeSpecsNotMet, () => site.Engine.VolumeTypes.Change(ReplicatedType, iscsi, NoKeys, null, force: false));

        Assert.Contains("db01 (", refused.Message, StringComparison.Ordinal);
        Assert.Contains("storage_protocol", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before.ExtraSpecs.Count, site.Engine.VolumeTypes.Get(ReplicatedType).ExtraSpecs.Count);
        Assert.DoesNotContain(site.EventsOf(ReplicatedType), e => e.Operation == "ChangeVolumeType");

        var forced = site.Engine.VolumeTypes.Change(ReplicatedType, iscsi, NoKeys, null, force: true);

        Assert.StartsWith("db01 (", Assert.Single(forced.VolumesNotMeetingSpecs), StringComparison.Ordinal);
        Assert.Equal("iSCSI", site.Engine.VolumeTypes.Get(ReplicatedType).ExtraSpecs["capabilities:storage_protocol"]);
        Assert.Contains("changed with -Force though 1 volume(s) do not meet them: db01", site.EventsOf(ReplicatedType, newest: 1).Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WhetherATypeInUseReplicates_CannotChange_EvenWithForce_ButAnUnusedTypeCanChangeIt()
    {
        site.CreateVolume("db01", 4 * MiB);

        var refused = Refused(ErrorIds.VolumeTypeInUse, () => site.Engine.VolumeTypes.Change(ReplicatedType, Specs(), new[] { "capabilities:replication" }, null, force: true));

        Assert.Contains("(db01)", refused.Message, StringComparison.Ordinal);
        Assert.True(site.Engine.VolumeTypes.Get(ReplicatedType).IsReplicated);
        site.AddPlainType();
        var replicated = site.Engine.VolumeTypes.Change(PlainType, Specs(("capabilities:replication", "<is> True")), NoKeys, null, force: false);
        Assert.True(replicated.VolumeType.IsReplicated);
    }

    [Theory]
    [InlineData("replication:rpo_minutes", "-5", null)]
    [InlineData("capabilities:tier", "<in>", null)]
    [InlineData("replication:rpo_minutes", "15", "replication:rpo_minutes")]
    [InlineData(null, null, "capabilities:not_there")]
    public void BadSpecs_AreRefusedWithInvalidExtraSpec_AndChangeNothing(string? key, string? value, string? removed)
    {
        var before = site.Engine.VolumeTypes.Get(ReplicatedType);
        var set = key is null ? Specs() : Specs((key, value!));

        Refused(ErrorIds.InvalidExtraSpec, () => site.Engine.VolumeTypes.Change(ReplicatedType, set, removed is null ? NoKeys : new[] { removed }, null, force: true));

        var after = site.Engine.VolumeTypes.Get(ReplicatedType);
        Assert.Equal(before.ExtraSpecs.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}"), after.ExtraSpecs.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}"));
    }

    [Fact]
    public void AnUnknownType_IsVolumeTypeNotFound() =>
        Refused(ErrorIds.VolumeTypeNotFound, () => site.Engine.VolumeTypes.Change("nope", Specs(), NoKeys, "x", force: false));

    private static IReadOnlyDictionary<string, string> Specs(params (string Key, string Value)[] specs) =>
        specs.ToDictionary(s => s.Key, s => s.Value);
}
