using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Replication.Engine.Model;
using Replication.Engine.Rules;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// A stored volume is rewritten in one place, ReplicationStateMachine.Update, which refuses a status change the table
/// does not allow and then writes nothing; no other engine code calls the state session's UpdateVolume.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class StatusWriteTests
{
    [Fact]
    public void AMoveTheTableForbids_IsRefused_AndNothingIsWritten()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.AddPlainType();
        site.CreateVolume("plain01", 4 * MiB, PlainType);

        using (var session = site.Engine.Context.Store.Begin(write: true))
        {
            var current = session.FindVolume("plain01")!;
            Assert.Equal(ReplicationStatus.Disabled, current.ReplicationStatus);
            var refused = Assert.Throws<InvalidOperationException>(() =>
                ReplicationStateMachine.Update(session, current, current with { ReplicationStatus = ReplicationStatus.Active, ReplicationExtendedStatus = "forged" }));
            Assert.Contains("from disabled to active", refused.Message, StringComparison.Ordinal);
            session.Commit();
        }

        var stored = site.Record("plain01");
        Assert.Equal((ReplicationStatus.Disabled, (string?)null), (stored.ReplicationStatus, stored.ReplicationExtendedStatus));
    }

    [Fact]
    public void NoEngineCodeButTheStateMachineRewritesAStoredVolume()
    {
        var engine = Path.Combine(RepositoryRoot(), "src", "Replication.Engine");
        var writers = Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(file => !file.StartsWith(Path.Combine(engine, "State") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(file => Regex.IsMatch(File.ReadAllText(file), @"\.UpdateVolume\("))
            .Select(file => Path.GetRelativePath(engine, file))
            .ToList();

        Assert.Equal(new[] { Path.Combine("Rules", "ReplicationStateMachine.cs") }, writers);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Replication.PowerShell.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Replication.PowerShell.sln above {AppContext.BaseDirectory}.");
    }
}
