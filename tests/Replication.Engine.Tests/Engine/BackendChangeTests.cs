using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Engine.Catalog;
using Replication.Engine.Errors;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// Set-StorageBackend's rules through the real engine: capabilities, partner and driver settings change in place, one
/// ChangeBackend event each time; a change that would break what the backend holds is refused naming the volumes and
/// changes nothing.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class BackendChangeTests : IDisposable
{
    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();

    public void Dispose() => site.Dispose();

    [Fact]
    public void ACapabilityTheVolumesTypeNeeds_CannotGo_ButAnotherCanBeAddedAndRemoved_EachAnEvent()
    {
        site.AddBackend("dc3", declared: new Dictionary<string, object?> { ["tier"] = "gold" });
        site.AddPlainType("gold", new Dictionary<string, string> { ["capabilities:tier"] = "gold" });
        site.CreateVolume("gold01", 2 * MiB, "gold");
        var rows = site.SnapshotDatabase();

        var refused = Refused(ErrorIds.BackendChangeInUse, () => site.Engine.Backends.Change("dc3", new BackendEdit { Capabilities = Caps(("tier", "silver")) }));

        Assert.StartsWith("Rule: ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("gold01 (", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Set-VolumeType", refused.Message, StringComparison.Ordinal);
        Assert.Equal(rows, site.SnapshotDatabase());

        var added = site.Engine.Backends.Change("dc3", new BackendEdit { Capabilities = Caps(("rack", "r7")) });
        Assert.Equal("r7", added.DeclaredCapabilities["rack"]);
        Assert.Contains("rack=r7", site.EventsOf("dc3", newest: 1).Single(e => e.Operation == "ChangeBackend").Message, StringComparison.Ordinal);
        var removed = site.Engine.Backends.Change("dc3", new BackendEdit { RemoveCapabilities = new[] { "rack" } });
        Assert.False(removed.DeclaredCapabilities.ContainsKey("rack"));
        Assert.Equal(2, site.EventsOf("dc3").Count(e => e.Operation == "ChangeBackend"));
        Refused(ErrorIds.InvalidCapability, () => site.Engine.Backends.Change("dc3", new BackendEdit { RemoveCapabilities = new[] { "rack" } }));
    }

    [Fact]
    public void ThePartner_ChangesOnlyWhileTheBackendHoldsNoReplicatedVolume_NamingThem()
    {
        site.CreateVolume("db01", 2 * MiB);
        site.AddBackend("dc3", partner: "dc1");
        var rows = site.SnapshotDatabase();

        var refused = Refused(ErrorIds.BackendChangeInUse, () => site.Engine.Backends.Change("dc1", new BackendEdit { ChangePartner = true, ReplicationPartner = "dc3" }));

        Assert.Contains("db01", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Remove those volumes", refused.Message, StringComparison.Ordinal);
        Assert.Equal(rows, site.SnapshotDatabase());

        site.Engine.Volumes.Delete("db01", site.Quiet);
        var changed = site.Engine.Backends.Change("dc1", new BackendEdit { ChangePartner = true, ReplicationPartner = "dc3" });

        Assert.Equal(("dc3", true), (changed.ReplicationPartner, changed.ReplicationEnabled));
        Assert.False(site.Engine.Backends.Get("dc2").ReplicationEnabled);
        Assert.Contains("replication partner 'dc2' -> 'dc3'", site.EventsOf("dc1", newest: 1).Single().Message, StringComparison.Ordinal);
        Assert.Equal("dc3", site.CreateVolume("db02", 2 * MiB).ReplicaBackend is { } replica && replica != "dc1" ? replica : site.Engine.Volumes.Get("db02").Backend);
        Assert.Null(site.Engine.Backends.Change("dc2", new BackendEdit { ChangePartner = true, ReplicationPartner = "" }).ReplicationPartner);
    }

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Settings_AreAsTheDriverAllows_TheFolderNeverChanges_AndAFrozenBackendChangesNothing()
    {
        // The driver judges the settings together: a group-readable file in a folder closed to the group is refused.
        Refused(ErrorIds.InvalidSetting, () => site.Engine.Backends.Change("dc1", new BackendEdit { Settings = Caps(("FileMode", "0640")) }));
        var changed = site.Engine.Backends.Change("dc1", new BackendEdit { Settings = Caps(("FileMode", "0640"), ("FolderMode", "0750")) });

        Assert.Equal(("0640", "0750"), (changed.Settings["FileMode"], changed.Settings["FolderMode"]));
        site.AddPlainType();
        site.CreateVolume("plain01", 2 * MiB, PlainType);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(site.PrimaryFile("plain01")));
        Refused(ErrorIds.InvalidSetting, () => site.Engine.Backends.Change("dc1", new BackendEdit { Settings = Caps(("FileMode", "0777")) }));
        Refused(ErrorIds.InvalidSetting, () => site.Engine.Backends.Change("dc1", new BackendEdit { Settings = Caps(("NoSuchSetting", "1")) }));
        var folder = Refused(ErrorIds.InvalidSetting, () => site.Engine.Backends.Change("dc1", new BackendEdit { Settings = Caps(("Path", site.ScratchFile("elsewhere"))) }));
        Assert.Contains("cannot change", folder.Message, StringComparison.Ordinal);

        site.Engine.Backends.Freeze("dc2");
        Refused(ErrorIds.BackendFrozen, () => site.Engine.Backends.Change("dc2", new BackendEdit { Capabilities = Caps(("tier", "gold")) }));
    }

    private static Dictionary<string, object?> Caps(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => (object?)p.Value);
}
