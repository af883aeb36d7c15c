namespace Replication.Drivers.Conformance;

internal static class ClonePromises
{
    public static string Equal(KitBackend kit)
    {
        if (kit.Driver is not INativeCloning cloning)
        {
            return "The driver does not offer INativeCloning: nothing to check (the engine copies blocks itself).";
        }

        var source = kit.NewCopy(CopyPromises.Size);
        var data = KitBackend.Pattern(100000, 4);
        using (var device = kit.Open(source, DeviceAccess.ReadWrite))
        {
            device.Write(1000, data, 0, data.Length);
        }

        var target = kit.NewLocation();
        if (!cloning.TryCloneCopy(kit.Backend, source, target))
        {
            KitBackend.Require(kit.Driver.CopyLength(kit.Backend, target) is null, "TryCloneCopy declined but left a copy at the target.");
            return "TryCloneCopy declined on this backend and left nothing (the engine then copies blocks itself).";
        }

        KitBackend.Require(kit.Driver.CopyLength(kit.Backend, target) == CopyPromises.Size, "The clone's length is not the source's.");
        using (var s = kit.Open(source, DeviceAccess.ReadWrite))
        using (var t = kit.Open(target, DeviceAccess.ReadWrite))
        {
            KitBackend.RequireEqual(KitBackend.ReadAll(s, 0, (int)CopyPromises.Size), KitBackend.ReadAll(t, 0, (int)CopyPromises.Size), "The clone");
            t.Write(1000, new byte[10], 0, 10);
            KitBackend.Require(KitBackend.ReadAll(s, 1000, 1)[0] == data[0], "Writing the clone changed the source.");
        }

        return "TryCloneCopy makes a copy equal to the source, byte for byte, and independent of it.";
    }
}
