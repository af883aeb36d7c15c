using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Replication.Engine.Catalog;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.State;

namespace Replication.Engine.Tests.Support;

/// <summary>A clock the test moves by hand, for data age and loss windows.</summary>
public sealed class TestClock
{
    public TestClock(DateTimeOffset start) => Now = start;

    public DateTimeOffset Now { get; private set; }

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>
/// One engine on real things: a state store (a SQLite file in a temp folder, or a PostgreSQL schema), one folder per backend, a hand-moved clock,
/// and helpers to touch volume files behind the module's back and to snapshot everything for "nothing changed" checks.
/// </summary>
public sealed class EngineSite : IDisposable
{
    public const long KiB = 1024;
    public const long MiB = 1024 * KiB;
    public const int Block = 64 * 1024;
    public const string ReplicatedType = "replicated";
    public const string PlainType = "plain";

    private readonly TempDirectory temp = new();

    public EngineSite()
        : this(TestStores.Kind)
    {
    }

    /// <summary>A site on a given store, for the tests of the stores themselves.</summary>
    public EngineSite(StateStoreKind store)
    {
        try
        {
            State = SiteState.Create(store, temp.Path);
        }
        catch
        {
            // xunit never disposes a test class whose constructor threw (no PostgreSQL server, say): the folder goes now.
            temp.Dispose();
            throw;
        }

        BackendsRoot = Path.Combine(temp.Path, "backends");
        Clock = new TestClock(new DateTimeOffset(2030, 1, 1, 8, 0, 0, TimeSpan.Zero));
        Engine = State.Open(() => Clock.Now);
    }

    public string Root => temp.Path;

    /// <summary>The store the site runs on: SQLite or PostgreSQL, as <see cref="TestStores"/> says.</summary>
    public SiteState State { get; }

    /// <summary>The state file, for the tests of the SQLite store itself.</summary>
    public string StatePath => State is SqliteSiteState sqlite ? sqlite.Path : throw new InvalidOperationException("This site's state is in PostgreSQL, not in a file.");

    /// <summary>Where <see cref="AddBackend"/> puts backend folders (one sub-folder per backend).</summary>
    public string BackendsRoot { get; }

    public TestClock Clock { get; }

    public ReplicationEngine Engine { get; }

    public IOperationObserver Quiet => SilentObserver.Instance;

    /// <summary>A second engine on the same state, as a new process would open it (on the site's clock unless told otherwise).</summary>
    public ReplicationEngine Reopen(Func<DateTimeOffset>? clock = null) => State.Open(clock ?? (() => Clock.Now));

    /// <summary>A path for the test's own files, outside every backend folder.</summary>
    public string ScratchFile(string name) => Path.Combine(Root, name);

    public string FolderOf(string backend) => Path.Combine(BackendsRoot, backend);

    public StorageBackend AddBackend(string name, string? partner = null, IReadOnlyDictionary<string, object?>? declared = null, string? path = null) =>
        Engine.Backends.Add(new BackendDefinition
        {
            Name = name,
            Driver = "LocalFile",
            Path = path ?? FolderOf(name),
            ReplicationPartner = partner,
            DeclaredCapabilities = declared ?? new Dictionary<string, object?>(),
        }, Quiet);

    /// <summary>Two backends that name each other, so volumes on either replicate to the other.</summary>
    public void AddPairedBackends(string first = "dc1", string second = "dc2")
    {
        AddBackend(first, second);
        AddBackend(second, first);
    }

    public VolumeType AddReplicatedType(string name = ReplicatedType, IReadOnlyDictionary<string, string>? specs = null) =>
        Engine.VolumeTypes.Add(name, specs ?? new Dictionary<string, string>(), null, replicated: true);

    public VolumeType AddPlainType(string name = PlainType, IReadOnlyDictionary<string, string>? specs = null) =>
        Engine.VolumeTypes.Add(name, specs ?? new Dictionary<string, string>(), null, replicated: false);

    /// <summary>dc1 and dc2 paired, the replicated type, and nothing else.</summary>
    public EngineSite WithPairAndReplicatedType()
    {
        AddPairedBackends();
        AddReplicatedType();
        return this;
    }

    public Volume CreateVolume(string name, long sizeBytes, string type = ReplicatedType) =>
        Engine.Volumes.Create(name, sizeBytes, type, Quiet);

    public SyncResult Sync(string name, bool forceRead = false, IOperationObserver? observer = null) =>
        Engine.Replication.Sync(name, forceRead, observer ?? Quiet, CancellationToken.None);

    public PromotionResult Promote(string name, bool planned, bool allowDamagedReplica = false) =>
        Engine.Replication.Promote(name, planned, Quiet, CancellationToken.None, allowDamagedReplica);

    public SyncResult Enable(string name) => Engine.Replication.Enable(name, Quiet, CancellationToken.None);

    public VolumeReplica Disable(string name) => Engine.Replication.Disable(name);

    public Volume CreateFromReplica(string name, string source) =>
        Engine.Volumes.CreateFromReplica(name, source, Quiet, CancellationToken.None);

    public VolumeReplica Replica(string name) => Engine.Replication.Get(name);

    /// <summary>The stored row of a volume, as the engine recorded it.</summary>
    public VolumeRecord Record(string name)
    {
        using var session = Engine.Context.Store.Begin(write: false);
        return session.FindVolume(name) ?? throw new InvalidOperationException($"No volume '{name}' in state.");
    }

    public BackendRecord BackendRecord(string name)
    {
        using var session = Engine.Context.Store.Begin(write: false);
        return session.FindBackend(name) ?? throw new InvalidOperationException($"No backend '{name}' in state.");
    }

    /// <summary>volume-&lt;id&gt;.img in the folder of <paramref name="backend"/>.</summary>
    public string VolumeFile(string backend, Guid id) => Path.Combine(Engine.Backends.Get(backend).Path, $"volume-{id:D}.img");

    public string PrimaryFile(string volume)
    {
        var v = Engine.Volumes.Get(volume);
        return VolumeFile(v.Backend, v.Id);
    }

    public string ReplicaFile(string volume)
    {
        var v = Engine.Volumes.Get(volume);
        return VolumeFile(v.ReplicaBackend ?? throw new InvalidOperationException($"'{volume}' has no replica."), v.Id);
    }

    public IReadOnlyList<ReplicationEvent> EventsOf(string objectName, int? newest = null) =>
        Engine.Events(new EventQuery { ObjectName = objectName, Newest = newest });

    // ---- Files, touched the way a hypervisor or an admin would: plain FileStreams ----

    public static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        bytes[0] |= 1; // never all zero
        return bytes;
    }

    public static void WriteAt(string path, long offset, byte[] data)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        file.Position = offset;
        file.Write(data, 0, data.Length);
        file.Flush(flushToDisk: true);
    }

    public static byte[] ReadAt(string path, long offset, int count)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        file.Position = offset;
        var buffer = new byte[count];
        file.ReadExactly(buffer);
        return buffer;
    }

    public static byte[] ReadAll(string path) => File.ReadAllBytes(path);

    /// <summary>
    /// Changes bytes of a file on disk and puts its modification and access times back as they were: bit rot, or a tool
    /// that restores times. Only the file's content tells.
    /// </summary>
    public static void DamageKeepingTimes(string path, long offset, byte[] data)
    {
        var modified = File.GetLastWriteTimeUtc(path);
        var accessed = File.GetLastAccessTimeUtc(path);
        WriteAt(path, offset, data);
        File.SetLastWriteTimeUtc(path, modified);
        File.SetLastAccessTimeUtc(path, accessed);
        Assert.Equal(modified, File.GetLastWriteTimeUtc(path));
    }

    /// <summary>Sets the file's modification time into the past, as if nobody had written it for a while (rsync's quick check).</summary>
    public static void MakeQuiet(string path) => File.SetLastWriteTimeUtc(path, DateTime.UtcNow - TimeSpan.FromSeconds(30));

    public static string Sha256(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return Convert.ToHexString(SHA256.HashData(file));
    }

    /// <summary>Both files hold the same bytes; on a difference, says where the first one is.</summary>
    public static void AssertSameBytes(string expectedPath, string actualPath)
    {
        using var expected = new FileStream(expectedPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var actual = new FileStream(actualPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Assert.True(expected.Length == actual.Length, $"'{actualPath}' is {actual.Length} bytes, '{expectedPath}' is {expected.Length}.");
        var a = new byte[MiB];
        var b = new byte[MiB];
        for (long offset = 0; offset < expected.Length; offset += a.Length)
        {
            var n = (int)Math.Min(a.Length, expected.Length - offset);
            expected.ReadExactly(a, 0, n);
            actual.ReadExactly(b, 0, n);
            if (!a.AsSpan(0, n).SequenceEqual(b.AsSpan(0, n)))
            {
                var first = Enumerable.Range(0, n).First(i => a[i] != b[i]);
                Assert.Fail($"'{actualPath}' differs from '{expectedPath}' first at byte {offset + first} (block {(offset + first) / Block}).");
            }
        }
    }

    /// <summary>Every file and folder under <paramref name="folder"/>, relative, sorted.</summary>
    public static IReadOnlyList<string> ListFolder(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(folder, p).Replace('\\', '/'))
                .OrderBy(p => p, StringComparer.Ordinal)
                .ToList()
            : Array.Empty<string>();

    // ---- Snapshots for "nothing changed" ----

    /// <summary>
    /// Every file and folder under the site's root except the state file (and its -wal/-shm): path, size, permissions and
    /// a hash of the content. Equal snapshots mean no file was made, removed or changed.
    /// </summary>
    public string SnapshotFolders()
    {
        var text = new StringBuilder();
        foreach (var entry in Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal))
        {
            if (State is SqliteSiteState sqlite && entry.StartsWith(sqlite.Path, StringComparison.Ordinal))
            {
                continue;
            }

            var relative = Path.GetRelativePath(Root, entry).Replace('\\', '/');
            if (Directory.Exists(entry))
            {
                text.Append(relative).Append("/\n");
                continue;
            }

            var mode = OperatingSystem.IsWindows() ? File.GetAttributes(entry).ToString() : File.GetUnixFileMode(entry).ToString();
            text.Append(CultureInfo.InvariantCulture, $"{relative} {new FileInfo(entry).Length} {mode} {Sha256(entry)}\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// Every row of every table of the state, in a stable order, as text. <paramref name="ignore"/> leaves out a
    /// table ("events") or a column ("volumes.replication_extended_status").
    /// </summary>
    public string SnapshotDatabase(params string[] ignore) => State.Dump(ignore);

    public long RowCount(string table) => State.RowCount(table);

    public static string DumpDatabase(string path, params string[] ignore) => SqliteSiteState.DumpFile(path, ignore);

    /// <summary>Runs <paramref name="action"/>, expects an engine error with <paramref name="errorId"/>, and returns it.</summary>
    public static ReplicationException Refused(string errorId, Action action)
    {
        var error = Assert.Throws<ReplicationException>(action);
        Assert.True(error.ErrorId == errorId, $"Expected {errorId}, got {error.ErrorId}: {error.Message}");
        return error;
    }

    public static ReplicationException Refused<T>(string errorId, Func<T> action) => Refused(errorId, () => { action(); });

    public void Dispose()
    {
        State.Dispose();
        temp.Dispose();
    }
}
