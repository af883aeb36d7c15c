using System;
using System.Collections.Generic;
using System.Linq;

namespace Replication.Drivers.Conformance;

internal static class DevicePromises
{
    private const long Size = CopyPromises.Size;

    /// <summary>Writes that start and end off any power-of-two boundary, one across the 1 MiB mark, one at the very end.</summary>
    private static readonly (long Offset, int Count)[] Writes = { (0, 700), ((1L << 20) - 1000, 5000), (Size - 333, 333) };

    public static string RoundTrip(KitBackend kit)
    {
        var location = kit.NewCopy(Size);
        using (var device = kit.Open(location, DeviceAccess.ReadWrite))
        {
            for (var i = 0; i < Writes.Length; i++)
            {
                // Written from inside a larger buffer: the driver must honour bufferOffset.
                var data = KitBackend.Pattern(Writes[i].Count + 17, i);
                device.Write(Writes[i].Offset, data, 17, Writes[i].Count);
                var back = new byte[Writes[i].Count + 5];
                device.Read(Writes[i].Offset, back, 5, Writes[i].Count);
                KitBackend.RequireEqual(data.Skip(17).ToArray(), back.Skip(5).ToArray(), $"Reading back the write at {Writes[i].Offset} on the same device");
            }

            device.Flush();
        }

        using (var device = kit.Open(location, DeviceAccess.Read))
        {
            for (var i = 0; i < Writes.Length; i++)
            {
                var data = KitBackend.Pattern(Writes[i].Count + 17, i).Skip(17).ToArray();
                KitBackend.RequireEqual(data, KitBackend.ReadAll(device, Writes[i].Offset, Writes[i].Count), $"Reading back the write at {Writes[i].Offset} after reopening");
            }

            var gap = KitBackend.FirstNonZero(KitBackend.ReadAll(device, 700, (int)((1L << 20) - 1700)), 700);
            KitBackend.Require(gap is null, $"Byte {gap}, between the writes, reads non-zero.");
        }

        return "Writes at unaligned offsets (across 1 MiB, at the end, from inside a buffer) read back on the same device and after reopening; bytes between them stay zeros.";
    }

    public static string Bounds(KitBackend kit)
    {
        var location = kit.NewCopy(Size);
        using (var device = kit.Open(location, DeviceAccess.ReadWrite))
        {
            device.Write(Size - 1, new byte[] { 9 }, 0, 1);
            KitBackend.Require(KitBackend.ReadAll(device, Size - 1, 1)[0] == 9, "The copy's last byte does not read back.");
            RequireRefused("Read across the end", () => device.Read(Size - 10, new byte[20], 0, 20));
            RequireRefused("Write across the end", () => device.Write(Size - 10, new byte[20], 0, 20));
            RequireRefused("Write past the end", () => device.Write(Size + 4096, new byte[20], 0, 20));
            RequireRefused("Read at a negative offset", () => device.Read(-1, new byte[20], 0, 20));
            KitBackend.Require(device.Length == Size, $"After refused writes past the end the device's Length is {device.Length}, not {Size}.");
        }

        KitBackend.Require(kit.Driver.CopyLength(kit.Backend, location) == Size, "A refused write past the end changed the copy's length.");
        return "I/O up to the last byte works; reads and writes across or past the end, or at a negative offset, are refused and change nothing.";
    }

    public static string Flush(KitBackend kit)
    {
        var location = kit.NewCopy(Size);
        var data = KitBackend.Pattern(8192, 5);
        using var writer = kit.Open(location, DeviceAccess.ReadWrite);
        writer.Write(4096, data, 0, data.Length);
        writer.Flush();
        using var reader = kit.Open(location, DeviceAccess.Read);
        KitBackend.RequireEqual(data, KitBackend.ReadAll(reader, 4096, data.Length), "A second device, opened after Flush while the writer is still open, reading the flushed write");
        return "After Flush a write is in the storage: a second device opened while the writer is still open reads it.";
    }

    public static string ZeroKeep(KitBackend kit) => Zero(kit, deallocate: false);

    public static string ZeroDeallocate(KitBackend kit) => Zero(kit, deallocate: true);

    private static string Zero(KitBackend kit, bool deallocate)
    {
        var location = kit.NewCopy(Size);
        var data = KitBackend.Pattern((int)Size, 6);
        // Ranges inside one allocation unit, across units and covering whole ones.
        var ranges = new (long Offset, long Length)[] { (100, 200), ((1L << 20) - 5000, 10000), (1L << 19, 1L << 19) };
        using (var device = kit.Open(location, DeviceAccess.ReadWrite))
        {
            device.Write(0, data, 0, data.Length);
            foreach (var (offset, length) in ranges)
            {
                device.Zero(offset, length, deallocate);
                Array.Clear(data, (int)offset, (int)length);
            }

            device.Flush();
        }

        using (var device = kit.Open(location, DeviceAccess.Read))
        {
            KitBackend.RequireEqual(data, KitBackend.ReadAll(device, 0, (int)Size), $"After Zero (deallocate {deallocate}) the copy");
        }

        return $"Zero with deallocate {deallocate} makes each range read as zeros (inside, across and covering allocation units) and leaves the bytes around it.";
    }

    public static string AllocatedExtents(KitBackend kit)
    {
        var location = kit.NewCopy(Size);
        var writes = new (long Offset, int Count)[] { (5000, 3000), ((1L << 20) + 12345, 70000), (Size - 1, 1) };
        using (var device = kit.Open(location, DeviceAccess.ReadWrite))
        {
            foreach (var (offset, count) in writes)
            {
                device.Write(offset, KitBackend.Pattern(count, 7), 0, count);
            }

            device.Flush();
        }

        using (var device = kit.Open(location, DeviceAccess.Read))
        {
            var whole = device.AllocatedExtents(0, Size).ToList();
            RequireWellFormed(whole, 0, Size);
            foreach (var (offset, count) in writes)
            {
                var uncovered = Enumerable.Range(0, count).Select(i => (long?)(offset + i)).FirstOrDefault(at => !whole.Any(e => e.Offset <= at && at < e.End));
                KitBackend.Require(uncovered is null, $"Byte {uncovered} holds data but no allocated extent covers it: {string.Join(", ", whole)}.");
            }

            var part = device.AllocatedExtents(4096, Size - 8192).ToList();
            RequireWellFormed(part, 4096, Size - 8192);
            KitBackend.Require(part.Any(e => e.Offset <= 5000 && 5000 < e.End), "Extents asked for a part of the copy miss data inside that part.");
        }

        return "AllocatedExtents, of the whole copy and of a part: ascending, not overlapping, inside the range asked for, covering every byte written.";
    }

    private static void RequireWellFormed(IReadOnlyList<Extent> extents, long offset, long length)
    {
        long previousEnd = offset;
        foreach (var extent in extents)
        {
            KitBackend.Require(extent.Length > 0, $"AllocatedExtents gave an empty extent {extent}.");
            KitBackend.Require(extent.Offset >= previousEnd, $"AllocatedExtents({offset}, {length}) is not ascending, overlaps or starts before the range: {extent} after {previousEnd}.");
            KitBackend.Require(extent.End <= offset + length, $"AllocatedExtents({offset}, {length}) gave {extent}, past the range's end.");
            previousEnd = extent.End;
        }
    }

    private static void RequireRefused(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is not PromiseBroken)
        {
            return;
        }

        throw new PromiseBroken($"{what} of the device was not refused.");
    }
}
