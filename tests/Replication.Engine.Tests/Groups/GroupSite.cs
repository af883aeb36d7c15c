using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Replication.Engine.Model;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Groups;

/// <summary>
/// A replication group on an <see cref="EngineSite"/> (dc1 -> dc2): members with data at scattered blocks, helpers that
/// run group operations and read what the engine recorded, and the states a killed group command leaves, made without
/// killing a process: the engine's own steps run up to the crash point and no further (the Pester kill test kills real
/// processes at the same points).
/// </summary>
public sealed class GroupSite : IDisposable
{
    public const long Size = 4 * MiB;
    public const string Group = "app";

    public GroupSite()
    {
        Site = new EngineSite().WithPairAndReplicatedType();
    }

    public EngineSite Site { get; }

    public ReplicationEngine Engine => Site.Engine;

    public void Dispose() => Site.Dispose();

    /// <summary>Replicated volumes with a few blocks of data each, synced on their own (active, not yet in a group).</summary>
    public void CreateVolumes(params string[] names)
    {
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            Site.CreateVolume(name, Size);
            Write(name, i + 1, 100 + i);
            Site.Sync(name);
        }
    }

    /// <summary>The volumes, then a group of them, then one group round (round 1).</summary>
    public ReplicationGroup CreateSyncedGroup(params string[] names)
    {
        CreateVolumes(names);
        Engine.Groups.Add(Group, null, names);
        SyncGroup();
        return Get();
    }

    public ReplicationGroup Get() => Engine.Groups.Get(Group);

    public IReadOnlyList<SyncResult> SyncGroup(bool forceRead = false) =>
        Engine.GroupOperations.Sync(Group, forceRead, Site.Quiet, CancellationToken.None);

    public IReadOnlyList<PromotionResult> PromoteGroup(bool planned) =>
        Engine.GroupOperations.Promote(Group, planned, Site.Quiet, CancellationToken.None);

    public IReadOnlyList<SyncResult> EnableGroup(bool discardFencedWrites = false) =>
        Engine.GroupOperations.Enable(Group, discardFencedWrites, Site.Quiet, CancellationToken.None);

    public void DisableGroup() => Engine.GroupOperations.Disable(Group, Site.Quiet, CancellationToken.None);

    public IReadOnlyList<RepairFinding> Repair() => Engine.Repair.Run(removeOrphanFiles: false, _ => true, Site.Quiet);

    /// <summary>Writes a random 64 KiB block (seeded) at <paramref name="block"/> of the volume's primary.</summary>
    public void Write(string name, long block, int seed) => WriteAt(Site.PrimaryFile(name), block * Block, RandomBytes(Block, seed));

    public byte[] Primary(string name) => ReadAll(Site.PrimaryFile(name));

    public byte[] Replica(string name) => ReadAll(Site.ReplicaFile(name));

    public VolumeRecord Record(string name) => Site.Record(name);

    /// <summary>Every group round row of the group, committed or not.</summary>
    public long RoundRows() => Site.RowCount("group_rounds");

    public bool PromotionIntent()
    {
        using var read = Engine.Context.Store.Begin(write: false);
        return read.FindGroupPromotion(Group) is not null;
    }

    /// <summary>The journal (committed or not) a round leaves beside a copy on <paramref name="backend"/>.</summary>
    public string JournalPath(string backend, string name) =>
        Path.Combine(Site.FolderOf(backend), ".replication", $"volume-{Engine.Volumes.Get(name).Id:D}.sync-journal");

    /// <summary>Every journal file left in either backend's journal folder.</summary>
    public IReadOnlyList<string> Journals() => new[] { "dc1", "dc2" }
        .Select(b => Path.Combine(Site.FolderOf(b), ".replication"))
        .Where(Directory.Exists)
        .SelectMany(folder => Directory.EnumerateFiles(folder, "*.sync-journal*"))
        // A committed journal is its commit record and the staged journal it names: one journal.
        .Select(file => file.EndsWith(".tmp", StringComparison.Ordinal) ? file.Substring(0, file.Length - ".tmp".Length) : file)
        .Distinct(StringComparer.Ordinal)
        .ToList();

    /// <summary>Sets the primary's modification time 30 s back, so the next round's stamp proves it quiet (and a round after that skips it).</summary>
    public void MakeQuiet(string name) => EngineSite.MakeQuiet(Site.PrimaryFile(name));

    // ---- what a killed group command leaves ----

    /// <summary>
    /// A group round killed at group.before-commit (<paramref name="commit"/> false) or group.after-commit (true): the
    /// round's row, every member staged in a committed journal under the round's token, nothing applied or recorded.
    /// </summary>
    public GroupRound StageRoundAndStop(bool commit)
    {
        var operations = Engine.GroupOperations;
        var (round, staged) = operations.StageRound(Group, operations.Members(Group), forceRead: false, Site.Quiet, CancellationToken.None);
        return commit ? operations.CommitRound(round, staged) : round;
    }

    /// <summary>A group promotion killed at group.promote.after-fence: the intent recorded and every old primary fenced, nothing swapped.</summary>
    public void FenceAndStop(bool planned)
    {
        var members = Engine.GroupOperations.Members(Group);
        using (var session = Engine.Context.Store.Begin(write: true))
        {
            session.PutGroupPromotion(Group, Engine.Context.Now, planned);
            session.Commit();
        }

        foreach (var member in members)
        {
            Engine.Replication.Promotion.Fence(member, Site.Quiet);
        }
    }

    public static bool IsReadOnly(string path) => !OperatingSystem.IsWindows()
        ? (File.GetUnixFileMode(path) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0
        : new FileInfo(path).IsReadOnly;

    // ---- assertions ----

    /// <summary>Every member holds the group's newest round, the group says so, and each replica equals <paramref name="expected"/> byte for byte.</summary>
    public void AssertAtCommonRound(IReadOnlyDictionary<string, byte[]> expected, long round, bool allowJournals = false)
    {
        var group = Get();
        Assert.Equal(round, group.LastRound);
        foreach (var (name, bytes) in expected)
        {
            var record = Record(name);
            Assert.True(record.GroupRound == round, $"'{name}' holds group round {record.GroupRound?.ToString() ?? "none"}, the group's newest is {round}.");
            Assert.True(record.ReplicationStatus is ReplicationStatus.Active or ReplicationStatus.ActiveStopped, $"'{name}' is {record.ReplicationStatus}.");
            Assert.True(bytes.AsSpan().SequenceEqual(Replica(name)), $"The replica of '{name}' does not hold the data of round {round}.");
        }

        Assert.True(group.Consistent, $"Group not consistent: {group.MemberStatus}, last round {group.LastRound}.");
        if (!allowJournals)
        {
            Assert.Empty(Journals());
        }
    }

    public Dictionary<string, byte[]> Primaries(params string[] names) => names.ToDictionary(n => n, Primary);

    public Dictionary<string, byte[]> Replicas(params string[] names) => names.ToDictionary(n => n, Replica);
}
