using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Engine.Catalog;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Engine;

/// <summary>
/// "Bad input changes nothing": each refused call leaves every row of the state file and every file and folder under
/// the site exactly as they were, and says why with its ErrorId.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class BadInputTests
{
    private const string Existing = "db01";

    private static readonly string[] BadNames =
    {
        "",
        "a/b",
        "a\\b",
        "..",
        "../escape",
        "/abs",
        "nul\0byte",
        "tab\tname",
        "new\nline",
        "bell\u0007",
        new('v', 65),
        "db*",
        "db?",
        "[db]",
        " db",
        "-db",
        ".hidden",
        "x'; DROP TABLE volumes;--",
        "Robert'); DELETE FROM backends; --",
        "ümlaut",
    };

    /// <summary>Cases by group: a label, the error it must give, and the call.</summary>
    private static readonly Dictionary<string, List<(string Label, string ErrorId, Action<EngineSite> Act)>> Groups = BuildCases();

    public static TheoryData<string> GroupNames => new(Groups.Keys);

    /// <summary>
    /// Every case of a group runs against one populated site (a fresh one after a case that failed, so one bug cannot
    /// mask the next); all failures of the group are reported together.
    /// </summary>
    [Theory]
    [MemberData(nameof(GroupNames))]
    public void BadInput_IsRefusedWithItsErrorId_AndChangesNothing(string group)
    {
        var failures = new List<string>();
        var site = Populated();
        try
        {
            foreach (var (label, errorId, act) in Groups[group])
            {
                var failure = Check(site, errorId, act);
                if (failure is not null)
                {
                    failures.Add($"{label}: {failure}");
                    site.Dispose();
                    site = Populated();
                }
            }
        }
        finally
        {
            site.Dispose();
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Groups[group].Count} cases failed:\n" + string.Join("\n", failures));
    }

    /// <summary>Null when the call was refused with <paramref name="errorId"/> and nothing changed; else what went wrong.</summary>
    private static string? Check(EngineSite site, string errorId, Action<EngineSite> act)
    {
        var rows = site.SnapshotDatabase();
        var files = site.SnapshotFolders();
        var cwd = CurrentDirectoryEntries();

        var error = Record.Exception(() => act(site));

        if (error is not ReplicationException refused)
        {
            return error is null ? $"accepted, expected {errorId}" : $"threw {error.GetType().Name} ({error.Message}), expected {errorId}";
        }

        if (refused.ErrorId != errorId)
        {
            return $"refused with {refused.ErrorId} ({refused.Message}), expected {errorId}";
        }

        if (string.IsNullOrWhiteSpace(refused.Message) || refused.Message.Contains('\0'))
        {
            return $"unreadable message '{refused.Message}'";
        }

        return rows != site.SnapshotDatabase() ? "the state file changed"
            : files != site.SnapshotFolders() ? "files or folders changed"
            : !cwd.SequenceEqual(CurrentDirectoryEntries()) ? "the current directory changed"
            : null;
    }

    private static List<string> CurrentDirectoryEntries() =>
        Directory.GetFileSystemEntries(Directory.GetCurrentDirectory()).OrderBy(e => e, StringComparer.Ordinal).ToList();

    [Fact]
    public void SqlLookingSpecsAndDescriptions_AreStoredAsPlainText()
    {
        using var site = Populated();
        const string Value = "x'); DROP TABLE volumes; --";
        const string Description = "'; DELETE FROM volume_types WHERE '1'='1";

        var type = site.Engine.VolumeTypes.Add("sql", new Dictionary<string, string> { ["capabilities:tier"] = Value }, Description, replicated: false);

        var reread = site.Reopen().VolumeTypes.Get("sql");
        Assert.Equal(Value, reread.ExtraSpecs["capabilities:tier"]);
        Assert.Equal(Description, reread.Description);
        Assert.Equal(Value, type.ExtraSpecs["capabilities:tier"]);
        Assert.Equal(3, site.Engine.VolumeTypes.List().Count);
        Assert.Equal(Existing, Assert.Single(site.Engine.Volumes.List(global::Replication.Engine.State.VolumeQuery.All)).Name);
        var error = Refused(ErrorIds.NoValidBackend, () => site.CreateVolume("v", MiB, "sql"));
        Assert.Contains(Value, error.Message);
    }

    [Fact]
    public void AtTheLimits_NamesAndSizesAreAccepted()
    {
        using var site = Populated();
        var longest = new string('v', 64);

        Assert.Equal(longest, site.CreateVolume(longest, 512, PlainType).Name);
        Assert.Equal("a..b", site.CreateVolume("a..b", 512, PlainType).Name);
        Assert.Equal("9_x-Y.z", site.CreateVolume("9_x-Y.z", 512, PlainType).Name);
    }

    /// <summary>The largest volume New-Volume's help promises: 1 TiB, written out here rather than taken from the engine.</summary>
    private const long OneTiB = 1L << 40;

    [Theory]
    [InlineData(PlainType)]
    [InlineData(ReplicatedType)]
    public void Create_Of1TiB_IsAccepted(string type)
    {
        using var site = Populated();

        var volume = site.CreateVolume("huge", OneTiB, type);

        Assert.Equal(VolumeStatus.Available.ToString(), site.Engine.Volumes.Get("huge").Status);
        Assert.Equal(OneTiB, volume.SizeBytes);
        Assert.Equal(OneTiB, new FileInfo(site.VolumeFile(volume.Backend, volume.Id)).Length);
    }

    [Theory]
    [InlineData(PlainType)]
    [InlineData(ReplicatedType)]
    public void Create_Of1TiBAnd512Bytes_IsRefusedWithInvalidSize_AndChangesNothing(string type)
    {
        using var site = Populated();
        var rows = site.SnapshotDatabase("events");
        var files = site.SnapshotFolders();

        Refused(ErrorIds.InvalidSize, () => site.CreateVolume("huge", OneTiB + 512, type));

        Assert.Equal(rows, site.SnapshotDatabase("events"));
        Assert.Equal(files, site.SnapshotFolders());
    }

    /// <summary>dc1/dc2 paired, a replicated and a plain type, one replicated volume with some data.</summary>
    private static EngineSite Populated()
    {
        var site = new EngineSite().WithPairAndReplicatedType();
        site.AddPlainType();
        site.CreateVolume(Existing, 4 * MiB);
        WriteAt(site.PrimaryFile(Existing), 0, RandomBytes(4096, 1));
        site.Sync(Existing);
        File.WriteAllText(AFile(site), "not a folder");
        return site;
    }

    /// <summary>A file that exists (and is no folder), outside every backend folder; made by <see cref="Populated"/>.</summary>
    private static string AFile(EngineSite site) => site.ScratchFile("a-file");

    private static BackendDefinition Backend(EngineSite site, string name, string? path = null, string driver = "LocalFile",
        string? partner = null, Dictionary<string, object?>? declared = null) => new()
    {
        Name = name,
        Driver = driver,
        Path = path ?? site.FolderOf(name),
        ReplicationPartner = partner,
        DeclaredCapabilities = declared ?? new Dictionary<string, object?>(),
    };

    private static Dictionary<string, List<(string, string, Action<EngineSite>)>> BuildCases()
    {
        var cases = new Dictionary<string, List<(string, string, Action<EngineSite>)>>();
        var group = "";
        void Group(string name) => cases.Add(group = name, new List<(string, string, Action<EngineSite>)>());
        void Add(string label, string errorId, Action<EngineSite> act) => cases[group].Add((label, errorId, act));
        static string Shown(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).Take(40).ToArray());

        // Names, for each kind of object.
        foreach (var kind in new[] { "volume name", "test volume name", "volume type name", "backend name", "partner name" })
        {
            Group(kind);
            for (var i = 0; i < BadNames.Length; i++)
            {
                var bad = BadNames[i];
                var label = $"{kind} #{i} '{Shown(bad)}'";
                Action<EngineSite> act = kind switch
                {
                    "volume name" => s => s.CreateVolume(bad, MiB),
                    "test volume name" => s => s.CreateFromReplica(bad, Existing),
                    "volume type name" => s => s.Engine.VolumeTypes.Add(bad, new Dictionary<string, string>(), null, replicated: true),
                    "backend name" => s => s.Engine.Backends.Add(Backend(s, bad, path: s.FolderOf("new")), s.Quiet),
                    _ => s => s.Engine.Backends.Add(Backend(s, "dc3", partner: bad), s.Quiet),
                };
                Add(label, ErrorIds.InvalidName, act);
            }
        }

        Group("sizes");
        foreach (var size in new[] { 0L, -1L, -512L, 1000L, 513L, 4097L, (16L << 40) + 512, long.MaxValue, long.MinValue })
        {
            Add($"size {size}", ErrorIds.InvalidSize, s => s.CreateVolume("v", size));
        }

        Group("objects that do not exist");
        Add("unknown volume type", ErrorIds.VolumeTypeNotFound, s => s.CreateVolume("v", MiB, "nosuch"));
        Add("unknown source volume", ErrorIds.VolumeNotFound, s => s.CreateFromReplica("v", "nosuch"));
        Add("unknown driver", ErrorIds.UnknownDriver, s => s.Engine.Backends.Add(Backend(s, "dc3", driver: "NoSuchDriver"), s.Quiet));
        Add("empty driver", ErrorIds.UnknownDriver, s => s.Engine.Backends.Add(Backend(s, "dc3", driver: ""), s.Quiet));
        Add("remove unknown backend", ErrorIds.BackendNotFound, s => s.Engine.Backends.Remove("nosuch"));
        Add("remove unknown type", ErrorIds.VolumeTypeNotFound, s => s.Engine.VolumeTypes.Remove("nosuch"));
        Add("delete unknown volume", ErrorIds.VolumeNotFound, s => s.Engine.Volumes.Delete("nosuch", s.Quiet));
        Add("sync unknown volume", ErrorIds.VolumeNotFound, s => s.Sync("nosuch"));
        Add("promote unknown volume", ErrorIds.VolumeNotFound, s => s.Promote("nosuch", planned: true));

        Group("paths");
        Add("relative path", ErrorIds.InvalidPath, s => s.Engine.Backends.Add(Backend(s, "dc3", path: "relative-backend-folder"), s.Quiet));
        Add("dot-relative path", ErrorIds.InvalidPath, s => s.Engine.Backends.Add(Backend(s, "dc3", path: "./dc3"), s.Quiet));
        Add("empty path", ErrorIds.InvalidPath, s => s.Engine.Backends.Add(Backend(s, "dc3", path: ""), s.Quiet));
        Add("blank path", ErrorIds.InvalidPath, s => s.Engine.Backends.Add(Backend(s, "dc3", path: "   "), s.Quiet));
        Add("path with a control character", ErrorIds.InvalidPath, s => s.Engine.Backends.Add(Backend(s, "dc3", path: s.FolderOf("dc\u00013")), s.Quiet));

        Add("path is a file", ErrorIds.BackendPathUnusable, s => s.Engine.Backends.Add(Backend(s, "dc3", path: AFile(s)), s.Quiet));
        Add("path under a file", ErrorIds.BackendPathUnusable, s => s.Engine.Backends.Add(Backend(s, "dc3", path: Path.Combine(AFile(s), "dc3")), s.Quiet));

        Group("duplicates");
        Add("duplicate backend", ErrorIds.BackendExists, s => s.Engine.Backends.Add(Backend(s, "dc1", path: s.FolderOf("other")), s.Quiet));
        Add("duplicate backend, other case", ErrorIds.BackendExists, s => s.Engine.Backends.Add(Backend(s, "DC1", path: s.FolderOf("other")), s.Quiet));
        Add("backend on another's folder", ErrorIds.BackendPathUnusable, s => s.Engine.Backends.Add(Backend(s, "dc3", path: s.FolderOf("dc1")), s.Quiet));
        Add("backend on another's folder, trailing slash", ErrorIds.BackendPathUnusable, s => s.Engine.Backends.Add(Backend(s, "dc3", path: s.FolderOf("dc1") + "/"), s.Quiet));
        Add("backend on another's folder, via ..", ErrorIds.BackendPathUnusable, s => s.Engine.Backends.Add(Backend(s, "dc3", path: s.FolderOf("x") + "/../dc1"), s.Quiet));
        Add("duplicate volume type", ErrorIds.VolumeTypeExists, s => s.AddReplicatedType());
        Add("duplicate volume type, other case", ErrorIds.VolumeTypeExists, s => s.AddPlainType("PLAIN"));
        Add("duplicate volume", ErrorIds.VolumeExists, s => s.CreateVolume(Existing, MiB));
        Add("duplicate volume, other case", ErrorIds.VolumeExists, s => s.CreateVolume(Existing.ToUpperInvariant(), MiB));
        Add("test volume named like its source", ErrorIds.VolumeExists, s => s.CreateFromReplica(Existing, Existing));

        Group("own partner");
        Add("own partner", ErrorIds.InvalidReplicationPartner, s => s.Engine.Backends.Add(Backend(s, "dc3", partner: "dc3"), s.Quiet));
        Add("own partner, other case", ErrorIds.InvalidReplicationPartner, s => s.Engine.Backends.Add(Backend(s, "dc3", partner: "DC3"), s.Quiet));

        Group("declared capabilities that fake what the engine or driver reports");
        foreach (var (key, value) in new (string, object?)[]
        {
            ("replication", true),
            ("Replication", "True"),
            ("replication_partner", "dc1"),
            ("free_capacity_gb", 1_000_000),
            ("total_capacity_gb", 1_000_000),
            ("volume_backend_name", "dc1"),
            ("storage_protocol", "iSCSI"),
            ("thin_provisioning_support", false),
        })
        {
            Add($"declared {key} (existing folder)", ErrorIds.InvalidCapability, s =>
            {
                Directory.CreateDirectory(s.FolderOf("dc3"));
                try
                {
                    s.Engine.Backends.Add(Backend(s, "dc3", declared: new() { [key] = value }), s.Quiet);
                }
                finally
                {
                    Directory.Delete(s.FolderOf("dc3"));
                }
            });
            Add($"declared {key} (new folder)", ErrorIds.InvalidCapability, s =>
                s.Engine.Backends.Add(Backend(s, "dc3", declared: new() { [key] = value }), s.Quiet));
        }

        Group("declared capabilities that are not plain");
        Add("declared key with a space", ErrorIds.InvalidCapability, s => s.Engine.Backends.Add(Backend(s, "dc3", declared: new() { ["tier name"] = "gold" }), s.Quiet));
        Add("declared key with a colon", ErrorIds.InvalidCapability, s => s.Engine.Backends.Add(Backend(s, "dc3", declared: new() { ["capabilities:tier"] = "gold" }), s.Quiet));
        Add("declared key too long", ErrorIds.InvalidCapability, s => s.Engine.Backends.Add(Backend(s, "dc3", declared: new() { [new string('k', 65)] = "gold" }), s.Quiet));
        Add("declared null", ErrorIds.InvalidCapability, s => s.Engine.Backends.Add(Backend(s, "dc3", declared: new() { ["tier"] = null }), s.Quiet));
        Add("declared control character", ErrorIds.InvalidCapability, s => s.Engine.Backends.Add(Backend(s, "dc3", declared: new() { ["tier"] = "go\u0000ld" }), s.Quiet));
        Add("declared text too long", ErrorIds.InvalidCapability, s => s.Engine.Backends.Add(Backend(s, "dc3", declared: new() { ["tier"] = new string('g', 256) }), s.Quiet));
        Add("declared nested list", ErrorIds.InvalidCapability, s => s.Engine.Backends.Add(Backend(s, "dc3", declared: new() { ["tiers"] = new List<object> { new List<object> { "gold" } } }), s.Quiet));
        Add("declared object", ErrorIds.InvalidCapability, s => s.Engine.Backends.Add(Backend(s, "dc3", declared: new() { ["since"] = DateTime.UnixEpoch }), s.Quiet));

        Group("extra specs and descriptions");
        foreach (var (key, value) in new[]
        {
            ("capabilities:tier", "<in>"),
            ("capabilities:tier", ""),
            ("capabilities:tier", "   "),
            ("capabilities:iops", ">=5000"),
            ("capabilities:iops", ">= lots"),
            ("capabilities:iops", ">= NaN"),
            ("capabilities:iops", ">= 1 2"),
            ("capabilities:thin", "<is> maybe"),
            ("capabilities:thin", "<IS> True"),
            ("capabilities:tier", "<or> gold silver"),
            ("capabilities:tier", "gold\u0000"),
            ("capabilities:tier", new string('g', 256)),
            ("", "gold"),
            ("capabilities::tier", "gold"),
            (":tier", "gold"),
            ("capabilities:tier name", "gold"),
            ("capabilities:tier'; DROP TABLE volumes;--", "gold"),
            (new string('k', 256), "gold"),
        })
        {
            Add($"extra spec '{Shown(key)}' = '{Shown(value)}'", ErrorIds.InvalidExtraSpec, s =>
                s.Engine.VolumeTypes.Add("t", new Dictionary<string, string> { [key] = value }, null, replicated: false));
        }

        Add("extra spec given twice, other case", ErrorIds.InvalidExtraSpec, s =>
            s.Engine.VolumeTypes.Add("t", new Dictionary<string, string> { ["capabilities:tier"] = "gold", ["Capabilities:Tier"] = "silver" }, null, replicated: false));
        Add("replicated type with replication <is> False", ErrorIds.InvalidExtraSpec, s =>
            s.Engine.VolumeTypes.Add("t", new Dictionary<string, string> { ["capabilities:replication"] = "<is> False" }, null, replicated: true));
        Add("description too long", ErrorIds.InvalidDescription, s => s.Engine.VolumeTypes.Add("t", new Dictionary<string, string>(), new string('d', 256), replicated: false));
        Add("description with a control character", ErrorIds.InvalidDescription, s => s.Engine.VolumeTypes.Add("t", new Dictionary<string, string>(), "line\nbreak", replicated: false));
        return cases;
    }
}
