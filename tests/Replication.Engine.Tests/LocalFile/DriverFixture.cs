using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Hashing;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using Replication.Drivers;
using Replication.Engine.Drivers;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Replication;
using Replication.Engine.Rounds;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.LocalFile;

/// <summary>
/// Two LocalFile backends ("primary", "secondary") in a temp folder, one volume id, and helpers to write, punch, read
/// and compare the real sparse files the driver works on.
/// </summary>
internal sealed class DriverFixture : IDisposable
{
    public const long MiB = 1L << 20;
    public const int BlockSize = BlockMap.DefaultBlockSize;

    private readonly TempDirectory temp = new();
    private long generation;

    public DriverFixture()
    {
        Primary = MakeBackend("primary");
        Secondary = MakeBackend("secondary");
        Driver.PrepareBackend(Primary);
        Driver.PrepareBackend(Secondary);
        VolumeId = Guid.NewGuid();
        Source = new VolumeCopy(Primary, Driver.LocationFor(VolumeId));
        Target = new VolumeCopy(Secondary, Driver.LocationFor(VolumeId));
    }

    public EngineDriver Driver { get; } = new(new LocalFileDriver());

    /// <summary>The sidecars of the replica's backend, where its journals are.</summary>
    public ISidecarStore TargetSidecars => Driver.Contract.Sidecars(EngineDriver.Config(Secondary));

    public RecordingObserver Observer { get; } = new();

    public string Root => temp.Path;

    public BackendRecord Primary { get; }

    public BackendRecord Secondary { get; }

    public Guid VolumeId { get; }

    public VolumeCopy Source { get; }

    public VolumeCopy Target { get; }

    public string SourcePath => Path.Combine(Primary.Path, Source.Location);

    public string TargetPath => Path.Combine(Secondary.Path, Target.Location);

    public string JournalPath => Path.Combine(Secondary.Path, ".replication", $"volume-{VolumeId:D}.sync-journal");

    public string UncommittedJournalPath => JournalPath + ".tmp";

    /// <summary>The identity of the state store the fixture's backends belong to (their folders are marked with it).</summary>
    public Guid StoreId { get; } = Guid.NewGuid();

    public BackendRecord MakeBackend(string name) => new()
    {
        Name = name,
        Driver = LocalFileDriver.DriverName,
        Path = Path.Combine(temp.Path, name),
        CreatedAt = DateTimeOffset.UtcNow,
        StoreId = StoreId,
    };

    public ReplicaSyncRequest Request(long size, BlockMap? previousMap = null, string? previousDriverData = null, bool journaled = false, bool forceRead = false) => new()
    {
        VolumeId = VolumeId,
        VolumeName = "vol",
        SizeBytes = size,
        Source = Source,
        Target = Target,
        PreviousMap = previousMap is null ? null : new Lazy<BlockMap>(previousMap),
        PreviousDriverData = previousDriverData,
        Journaled = journaled,
        ForceRead = forceRead,
        Generation = ++generation,
        StartedAt = DateTimeOffset.UtcNow,
    };

    public ReplicaSyncOutcome Sync(ReplicaSyncRequest request, CancellationToken cancellation = default) =>
        Driver.SyncReplica(request, Observer, cancellation);

    /// <summary>A first, non-journaled round onto a new replica (what Enable-Replication does).</summary>
    public ReplicaSyncOutcome InitialSync(long size)
    {
        if (!File.Exists(TargetPath))
        {
            Driver.CreateVolume(Target, size);
        }

        return Sync(Request(size));
    }

    /// <summary>A journaled round after <paramref name="last"/>, then the journal is discarded as the engine does once it recorded the round.</summary>
    public ReplicaSyncOutcome IncrementalSync(long size, ReplicaSyncOutcome last, bool forceRead = false)
    {
        var outcome = Sync(Request(size, last.NewMap, last.DriverData, journaled: true, forceRead: forceRead));
        Driver.DiscardSyncJournal(Target, VolumeId);
        return outcome;
    }

    public void Dispose() => temp.Dispose();

    // ---- file helpers ----

    public static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        bytes[0] |= 1; // never all zero
        return bytes;
    }

    public static void Write(string path, long offset, byte[] data)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
        file.Position = offset;
        file.Write(data, 0, data.Length);
    }

    public static void Punch(string path, long offset, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 1);
        SparseFile.PunchHole(file, offset, length);
    }

    public static byte[] Read(string path, long offset, int count)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        var buffer = new byte[count];
        file.Position = offset;
        file.ReadExactly(buffer);
        return buffer;
    }

    public static void SetLength(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
        file.SetLength(length);
    }

    /// <summary>Makes the file look written <paramref name="ago"/> before now (older than the driver's quiet period).</summary>
    public static void Age(string path, TimeSpan ago) => File.SetLastWriteTimeUtc(path, DateTime.UtcNow - ago);

    public static long Allocated(string path) => TestFiles.AllocatedBytes(path);

    /// <summary>XxHash128 of the whole file, to prove a file was left untouched.</summary>
    public static string ContentHash(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 20);
        var hash = new XxHash128();
        hash.Append(file);
        return file.Length + ":" + Convert.ToHexString(hash.GetCurrentHash());
    }

    public static void AssertSameContent(string expectedPath, string actualPath)
    {
        using var expected = new FileStream(expectedPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        using var actual = new FileStream(actualPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        Assert.Equal(expected.Length, actual.Length);
        var a = new byte[4 * MiB];
        var b = new byte[4 * MiB];
        for (long offset = 0; offset < expected.Length; offset += a.Length)
        {
            var count = (int)Math.Min(a.Length, expected.Length - offset);
            expected.ReadExactly(a, 0, count);
            actual.ReadExactly(b, 0, count);
            if (!a.AsSpan(0, count).SequenceEqual(b.AsSpan(0, count)))
            {
                var at = a.AsSpan(0, count).CommonPrefixLength(b.AsSpan(0, count));
                Assert.Fail($"'{actualPath}' differs from '{expectedPath}' at byte {offset + at} (block {(offset + at) / BlockSize}).");
            }
        }
    }

    public static bool IsAllZero(string path, long offset, int count) => Read(path, offset, count).All(value => value == 0);

    /// <summary>The block map of a file as it is now (what a sync that reached it should return).</summary>
    public static BlockMap HashFile(string path, long size)
    {
        using var device = new LocalFileBlockDevice(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1));
        return new BlockReader(device, path, ErrorIds.PrimaryUnreadable, (_, _) => { }, CancellationToken.None).HashAll(size, BlockSize);
    }

    public static int BlockLength(long size, long block) => (int)Math.Min(BlockSize, size - (block * BlockSize));

    /// <summary>Blocks overlapped by the byte ranges [offset, offset + length).</summary>
    public static SortedSet<long> BlocksOf(IEnumerable<(long Offset, long Length)> ranges)
    {
        var blocks = new SortedSet<long>();
        foreach (var (offset, length) in ranges.Where(range => range.Length > 0))
        {
            for (var block = offset / BlockSize; block <= (offset + length - 1) / BlockSize; block++)
            {
                blocks.Add(block);
            }
        }

        return blocks;
    }

    public static long BytesOfBlocks(long size, IEnumerable<long> blocks) => blocks.Sum(block => (long)BlockLength(size, block));

    /// <summary>Blocks whose bytes differ between two files of the same size.</summary>
    public static List<long> DifferingBlocks(string left, string right, long size)
    {
        var differing = new List<long>();
        using var a = new FileStream(left, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        using var b = new FileStream(right, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        var x = new byte[BlockSize];
        var y = new byte[BlockSize];
        for (long block = 0; block * BlockSize < size; block++)
        {
            var length = BlockLength(size, block);
            a.ReadExactly(x, 0, length);
            b.ReadExactly(y, 0, length);
            if (!x.AsSpan(0, length).SequenceEqual(y.AsSpan(0, length)))
            {
                differing.Add(block);
            }
        }

        return differing;
    }

    public static long RoundUpTo4K(long value) => (value + 4095) / 4096 * 4096;
}
