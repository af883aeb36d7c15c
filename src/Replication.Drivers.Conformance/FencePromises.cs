namespace Replication.Drivers.Conformance;

internal static class FencePromises
{
    public static string RefusesWriters(KitBackend kit)
    {
        var location = kit.NewCopy(CopyPromises.Size);
        KitBackend.Require(kit.Driver.IsFenced(kit.Backend, location) == false, "IsFenced of a new copy is not false.");
        kit.Driver.SetFence(kit.Backend, location, true);
        kit.Driver.SetFence(kit.Backend, location, true);
        KitBackend.Require(kit.Driver.IsFenced(kit.Backend, location) == true, "IsFenced of a fenced copy is not true.");
        KitBackend.RequireError(DriverErrorIds.Fenced, "Open (ReadWrite) of a fenced copy", () => kit.Open(location, DeviceAccess.ReadWrite).Dispose());
        using (var reader = kit.Open(location, DeviceAccess.Read))
        {
            KitBackend.ReadAll(reader, 0, 4096);
        }

        return $"A fenced copy (fenced twice) says IsFenced true, refuses Open ReadWrite with {DriverErrorIds.Fenced}, and still opens to read.";
    }

    public static string Lifted(KitBackend kit)
    {
        var location = kit.NewCopy(CopyPromises.Size);
        kit.Driver.SetFence(kit.Backend, location, true);
        kit.Driver.SetFence(kit.Backend, location, false);
        kit.Driver.SetFence(kit.Backend, location, false);
        KitBackend.Require(kit.Driver.IsFenced(kit.Backend, location) == false, "IsFenced after unfencing is not false.");
        using (var writer = kit.Open(location, DeviceAccess.ReadWrite))
        {
            writer.Write(0, new byte[] { 1 }, 0, 1);
        }

        return "Unfencing (twice) lifts the fence: IsFenced false, and the copy opens for writing again.";
    }

    public static string MissingCopy(KitBackend kit)
    {
        var missing = kit.NewLocation();
        KitBackend.RequireError(DriverErrorIds.CopyMissing, "SetFence (true) of a missing copy", () => kit.Driver.SetFence(kit.Backend, missing, true));
        kit.Driver.SetFence(kit.Backend, missing, false);
        KitBackend.Require(kit.Driver.IsFenced(kit.Backend, missing) is null, "IsFenced of a missing copy is not null.");
        KitBackend.Require(kit.Driver.CopyLength(kit.Backend, missing) is null, "Fencing a missing copy made it.");
        return $"Fencing a missing copy throws {DriverErrorIds.CopyMissing}; unfencing it is not an error; its IsFenced is null.";
    }
}
