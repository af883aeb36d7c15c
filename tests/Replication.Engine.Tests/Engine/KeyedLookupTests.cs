using System;
using System.Linq;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// Lookups by name for pipelines over a fleet (VolumeQuery.Names, the catalogs' List(names)): names compare without
/// case, a name nothing has is left out, and the other filters still apply.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class KeyedLookupTests
{
    [Fact]
    public void Volumes_and_replicas_are_found_by_name_without_regard_to_case_in_the_listing_order()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.AddPlainType();
        site.CreateVolume("db01", MiB);
        site.CreateVolume("db02", MiB);
        site.CreateVolume("web01", MiB, PlainType);

        var names = new[] { "WEB01", "db02", "missing", "DB02" };

        Assert.Equal(new[] { "db02", "web01" }, site.Engine.Volumes.List(new VolumeQuery { Names = names }).Select(v => v.Name).ToArray());
        Assert.Equal(new[] { "db02", "web01" }, site.Engine.Replication.List(new VolumeQuery { Names = names }).Select(r => r.VolumeName).ToArray());
        Assert.Equal(new[] { "web01" }, site.Engine.Volumes.List(new VolumeQuery { Names = names, VolumeType = PlainType }).Select(v => v.Name).ToArray());
        Assert.Empty(site.Engine.Volumes.List(new VolumeQuery { Names = Array.Empty<string>() }));
    }

    [Fact]
    public void Types_backends_groups_and_exports_are_found_by_name_and_a_missing_name_is_left_out()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("db01", MiB);
        site.Engine.Groups.Add("orders", null, new[] { "db01" });

        Assert.Equal(new[] { ReplicatedType }, site.Engine.VolumeTypes.List(new[] { "missing", ReplicatedType.ToUpperInvariant() }).Select(t => t.Name).ToArray());
        Assert.Equal(new[] { "dc2", "dc1" }, site.Engine.Backends.List(new[] { "DC2", "missing", "dc1" }).Select(b => b.Name).ToArray());
        Assert.Equal("dc2", site.Engine.Backends.List(new[] { "dc1" }).Single().ReplicationPartner);
        Assert.Equal(new[] { "orders" }, site.Engine.Groups.List(new[] { "ORDERS", "missing" }).Select(g => g.Name).ToArray());
        Assert.Empty(site.Engine.Exports.List(new[] { "db01", "missing" }));
    }
}
