using System;
using System.Linq;

namespace Replication.Drivers.Conformance;

internal static class CopyPromises
{
    /// <summary>A copy's size in the checks: not a power of two, so a driver that rounds sizes shows it.</summary>
    public const long Size = (5L << 19) + 4096;

    public static string LocationStable(KitBackend kit)
    {
        var id = Guid.NewGuid();
        var first = kit.Driver.LocationFor(id);
        KitBackend.Require(!string.IsNullOrEmpty(first), "LocationFor returned an empty location.");
        KitBackend.Require(kit.Driver.LocationFor(id) == first, "LocationFor gave the same id two different locations.");
        KitBackend.Require(kit.Driver.LocationFor(Guid.NewGuid()) != first, "LocationFor gave two ids the same location.");
        return "LocationFor gives an id the same location every time, and different ids different locations.";
    }

    public static string CreateIdempotent(KitBackend kit)
    {
        var location = kit.NewCopy(Size);
        kit.Driver.CreateCopy(kit.Backend, location, Size);
        KitBackend.Require(kit.Driver.CopyLength(kit.Backend, location) == Size, "After CreateCopy twice the copy's length is not its size.");
        return "CreateCopy of a copy already there with that size is not an error.";
    }

    public static string DeleteIdempotent(KitBackend kit)
    {
        var location = kit.NewCopy(Size);
        kit.Driver.DeleteCopy(kit.Backend, location);
        KitBackend.Require(kit.Driver.CopyLength(kit.Backend, location) is null, "After DeleteCopy, CopyLength still finds the copy.");
        kit.Driver.DeleteCopy(kit.Backend, location);
        kit.Driver.DeleteCopy(kit.Backend, kit.NewLocation());
        return "DeleteCopy removes the copy; deleting it again, or a copy never made, is not an error.";
    }

    public static string Length(KitBackend kit)
    {
        var location = kit.NewLocation();
        KitBackend.Require(kit.Driver.CopyLength(kit.Backend, location) is null, "CopyLength of a copy never made is not null.");
        kit.Driver.CreateCopy(kit.Backend, location, Size);
        var length = kit.Driver.CopyLength(kit.Backend, location);
        KitBackend.Require(length == Size, $"CopyLength is {length}, the copy was made with {Size}.");
        using var device = kit.Open(location, DeviceAccess.Read);
        KitBackend.Require(device.Length == Size, $"The device's Length is {device.Length}, the copy was made with {Size}.");
        return $"CopyLength and the device's Length are the size given ({Size}); CopyLength of a missing copy is null.";
    }

    public static string CreateReadsZeros(KitBackend kit)
    {
        var location = kit.NewCopy(Size);
        using var device = kit.Open(location, DeviceAccess.Read);
        var nonZero = KitBackend.FirstNonZero(KitBackend.ReadAll(device, 0, (int)Size), 0);
        KitBackend.Require(nonZero is null, $"A new copy reads non-zero at byte {nonZero}.");
        return $"A new copy of {Size} bytes reads as zeros throughout.";
    }

    public static string ResizeGrowReadsZeros(KitBackend kit)
    {
        var location = kit.NewCopy(Size);
        var tail = KitBackend.Pattern(4096, 3);
        using (var device = kit.Open(location, DeviceAccess.ReadWrite))
        {
            device.Write(Size - tail.Length, tail, 0, tail.Length);
            device.Flush();
        }

        // Shrinking through the written tail and growing back: the bytes that come back read as zeros, not as the old tail.
        kit.Driver.ResizeCopy(kit.Backend, location, Size - 2048);
        KitBackend.Require(kit.Driver.CopyLength(kit.Backend, location) == Size - 2048, "After shrinking, CopyLength is not the new size.");
        var grown = Size * 2;
        kit.Driver.ResizeCopy(kit.Backend, location, grown);
        KitBackend.Require(kit.Driver.CopyLength(kit.Backend, location) == grown, "After growing, CopyLength is not the new size.");
        using (var device = kit.Open(location, DeviceAccess.Read))
        {
            KitBackend.Require(device.Length == grown, $"After growing, the device's Length is {device.Length}, not {grown}.");
            KitBackend.RequireEqual(tail.Take(2048).ToArray(), KitBackend.ReadAll(device, Size - tail.Length, 2048), "The data kept through the shrink");
            var nonZero = KitBackend.FirstNonZero(KitBackend.ReadAll(device, Size - 2048, (int)(grown - Size + 2048)), Size - 2048);
            KitBackend.Require(nonZero is null, $"After shrinking and growing, byte {nonZero} reads non-zero (the new bytes must read as zeros).");
        }

        return "ResizeCopy shrinks and grows; data below the smaller size stays, every byte added reads as zeros.";
    }

    public static string ListCopiesNotSidecars(KitBackend kit)
    {
        var first = kit.NewCopy(Size);
        var second = kit.NewCopy(4096);
        var sidecars = kit.Driver.Sidecars(kit.Backend);
        var sidecar = "kit-list-" + Guid.NewGuid().ToString("N");
        sidecars.Replace(sidecar, new byte[] { 1, 2, 3 });
        try
        {
            var listed = kit.Driver.ListCopies(kit.Backend);
            KitBackend.Require(listed.Contains(first) && listed.Contains(second), $"ListCopies does not list the copies made ({first}, {second}): {string.Join(", ", listed)}.");
            KitBackend.Require(listed.Count == 2, $"ListCopies lists {listed.Count} locations for two copies and a sidecar: {string.Join(", ", listed)}.");
            kit.Driver.DeleteCopy(kit.Backend, second);
            KitBackend.Require(!kit.Driver.ListCopies(kit.Backend).Contains(second), "ListCopies still lists a deleted copy.");
        }
        finally
        {
            sidecars.Delete(sidecar);
        }

        return "ListCopies lists the copies by their locations, not a sidecar, not a deleted copy.";
    }

    public static string Connect(KitBackend kit)
    {
        var location = kit.NewCopy(Size);
        var connection = kit.Driver.Connect(kit.Backend, location);
        KitBackend.Require(connection.DriverVolumeType == kit.Driver.Info.ConnectionType,
            $"Connect gives driver_volume_type '{connection.DriverVolumeType}', Info declares '{kit.Driver.Info.ConnectionType}'.");
        KitBackend.Require(connection.Data.Count > 0, "Connect gives no connection data.");
        return $"Connect gives the declared type '{connection.DriverVolumeType}' with {connection.Data.Count} data item(s).";
    }

    public static string MissingCopyErrors(KitBackend kit)
    {
        var missing = kit.NewLocation();
        KitBackend.RequireError(DriverErrorIds.CopyMissing, "Open (Read) of a missing copy", () => kit.Open(missing, DeviceAccess.Read).Dispose());
        KitBackend.RequireError(DriverErrorIds.CopyMissing, "Open (ReadWrite) of a missing copy", () => kit.Open(missing, DeviceAccess.ReadWrite).Dispose());
        KitBackend.RequireError(DriverErrorIds.CopyMissing, "ResizeCopy of a missing copy", () => kit.Driver.ResizeCopy(kit.Backend, missing, Size));
        KitBackend.Require(kit.Driver.ChangeStamp(kit.Backend, missing) is null, "ChangeStamp of a missing copy is not null.");
        KitBackend.Require(kit.Driver.CopyLength(kit.Backend, missing) is null, "Opening and resizing a missing copy made it.");
        return $"Open (both accesses) and ResizeCopy of a missing copy throw {DriverErrorIds.CopyMissing} and make nothing; its ChangeStamp is null.";
    }
}
