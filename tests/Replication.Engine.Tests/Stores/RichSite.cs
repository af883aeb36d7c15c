using System.Collections.Generic;
using System.Threading;
using Replication.Engine.DrTests;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Stores;

/// <summary>A site with a row in every table: what a copy between stores must carry without losing one.</summary>
internal static class RichSite
{
    public static EngineSite Create(StateStoreKind store)
    {
        var site = new EngineSite(store);
        site.AddBackend("dc1", "dc2", new Dictionary<string, object?> { ["site"] = "north", ["tier"] = 2L, ["ssd"] = true });
        site.AddBackend("dc2", "dc1", new Dictionary<string, object?> { ["site"] = "south" });
        site.AddReplicatedType(specs: new Dictionary<string, string> { ["capabilities:site"] = "<or> north <or> south" });
        site.AddPlainType();
        foreach (var name in new[] { "db01", "app-data", "app-log", "Web01" })
        {
            site.CreateVolume(name, 4 * MiB);
            WriteAt(site.PrimaryFile(name), Block, RandomBytes(Block, name.Length));
            site.Sync(name, observer: name == "Web01" ? RecordingObserver.WritingOnceWhileSyncing(site.PrimaryFile(name), 2 * Block) : null);
            site.Clock.Advance(System.TimeSpan.FromTicks(1234567));
        }

        site.CreateVolume("scratch01", 1 * MiB, PlainType);
        site.Engine.Groups.Add("app", "database and log", new[] { "app-data", "app-log" });
        site.Engine.GroupOperations.Sync("app", false, site.Quiet, CancellationToken.None);
        // db01's replica gains bytes in a hole behind the module's back: its DR test fails and marks it.
        DamageKeepingTimes(site.ReplicaFile("db01"), 100, new byte[] { 7, 7, 7 });
        site.Engine.DrTests.Run("db01", DrTestOptions.Default, site.Quiet, CancellationToken.None);
        site.Disable("Web01");
        site.Engine.Backends.Freeze("dc2");
        return site;
    }
}
