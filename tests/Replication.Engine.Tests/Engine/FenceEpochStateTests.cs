using System;
using System.Runtime.Versioning;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>The fence epoch in state: bumped by every promotion and re-enable with the swap itself, and by nothing else.</summary>
[UnsupportedOSPlatform("windows")]
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class FenceEpochStateTests : IDisposable
{
    private const string Vol = "epoch01";

    private readonly EngineSite site = new();

    public FenceEpochStateTests()
    {
        site.AddPairedBackends();
        site.AddReplicatedType();
        site.CreateVolume(Vol, 1 * MiB);
    }

    public void Dispose() => site.Dispose();

    [UnixFact]
    public void EveryPromotionAndReenableBumpsTheEpoch_RoundsDoNot()
    {
        Assert.Equal(0L, site.Record(Vol).FenceEpoch);
        site.Sync(Vol);
        Assert.Equal(0L, site.Record(Vol).FenceEpoch);

        site.Promote(Vol, planned: true);
        Assert.Equal((1L, "dc2"), (site.Record(Vol).FenceEpoch, site.Record(Vol).Backend));

        site.Enable(Vol);
        site.Sync(Vol);
        Assert.Equal(2L, site.Record(Vol).FenceEpoch);

        site.Promote(Vol, planned: false);
        Assert.Equal((3L, "dc1"), (site.Record(Vol).FenceEpoch, site.Record(Vol).Backend));
    }
}
