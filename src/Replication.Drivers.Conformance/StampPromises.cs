namespace Replication.Drivers.Conformance;

internal static class StampPromises
{
    public static string ChangesOnWrite(KitBackend kit)
    {
        var location = kit.NewCopy(CopyPromises.Size);
        var stamp = Stamp(kit, location, "a new copy");
        var data = KitBackend.Pattern(4096, 8);
        // The same bytes twice: the second write changes no content, and still changes the stamp.
        for (var write = 1; write <= 2; write++)
        {
            using (var device = kit.Open(location, DeviceAccess.ReadWrite))
            {
                device.Write(8192, data, 0, data.Length);
                device.Flush();
            }

            stamp = Changed(kit, location, stamp, $"write {write}");
        }

        using (var device = kit.Open(location, DeviceAccess.ReadWrite))
        {
            device.Zero(8192, 4096, deallocate: false);
        }

        stamp = Changed(kit, location, stamp, "Zero");
        kit.Driver.ResizeCopy(kit.Backend, location, CopyPromises.Size * 2);
        Changed(kit, location, stamp, "ResizeCopy");
        return "ChangeStamp changes on each write (the same bytes written twice too), on Zero and on ResizeCopy.";
    }

    public static string StaysOnRead(KitBackend kit)
    {
        var location = kit.NewCopy(CopyPromises.Size);
        using (var device = kit.Open(location, DeviceAccess.ReadWrite))
        {
            device.Write(0, KitBackend.Pattern(4096, 9), 0, 4096);
        }

        var stamp = Stamp(kit, location, "a written copy");
        using (var device = kit.Open(location, DeviceAccess.Read))
        {
            KitBackend.ReadAll(device, 0, (int)CopyPromises.Size);
            foreach (var _ in device.AllocatedExtents(0, device.Length))
            {
            }
        }

        var after = Stamp(kit, location, "a copy just read");
        KitBackend.Require(after == stamp, $"Reading the copy changed its ChangeStamp from '{stamp}' to '{after}'.");
        KitBackend.Require(kit.Driver.ChangeStamp(kit.Backend, location) == stamp, "ChangeStamp asked twice gives two answers.");
        return "ChangeStamp stays when the copy is only read (whole, and its extents) and when asked again.";
    }

    private static string Stamp(KitBackend kit, string location, string of)
    {
        var stamp = kit.Driver.ChangeStamp(kit.Backend, location);
        KitBackend.Require(!string.IsNullOrEmpty(stamp), $"ChangeStamp of {of} is empty.");
        return stamp!;
    }

    private static string Changed(KitBackend kit, string location, string before, string what)
    {
        var after = Stamp(kit, location, $"the copy after {what}");
        KitBackend.Require(after != before, $"ChangeStamp stayed '{before}' after {what}.");
        return after;
    }
}
