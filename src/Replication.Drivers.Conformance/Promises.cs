using System;
using System.Collections.Generic;

namespace Replication.Drivers.Conformance;

/// <summary>The promises checked on a prepared backend, in order; each returns what it checked or throws <see cref="PromiseBroken"/>.</summary>
internal static class Promises
{
    public static readonly IReadOnlyList<(string Name, Func<KitBackend, string> Check)> All = new (string, Func<KitBackend, string>)[]
    {
        ("Settings.RefusesUnknown", SettingsPromises.RefusesUnknown),
        ("Settings.RefusesMissingRequired", SettingsPromises.RefusesMissingRequired),
        ("Info.Declared", BackendPromises.InfoDeclared),
        ("Backend.Probe", BackendPromises.Probe),
        ("Backend.Capabilities", BackendPromises.Capabilities),
        ("Location.Stable", CopyPromises.LocationStable),
        ("Copy.CreateIdempotent", CopyPromises.CreateIdempotent),
        ("Copy.DeleteIdempotent", CopyPromises.DeleteIdempotent),
        ("Copy.Length", CopyPromises.Length),
        ("Copy.CreateReadsZeros", CopyPromises.CreateReadsZeros),
        ("Copy.ResizeGrowReadsZeros", CopyPromises.ResizeGrowReadsZeros),
        ("Copy.ListCopiesNotSidecars", CopyPromises.ListCopiesNotSidecars),
        ("Copy.Connect", CopyPromises.Connect),
        ("Device.RoundTrip", DevicePromises.RoundTrip),
        ("Device.Bounds", DevicePromises.Bounds),
        ("Device.Flush", DevicePromises.Flush),
        ("Device.Zero", DevicePromises.ZeroKeep),
        ("Device.ZeroDeallocate", DevicePromises.ZeroDeallocate),
        ("Device.AllocatedExtents", DevicePromises.AllocatedExtents),
        ("Stamp.ChangesOnWrite", StampPromises.ChangesOnWrite),
        ("Stamp.StaysOnRead", StampPromises.StaysOnRead),
        ("Fence.RefusesWriters", FencePromises.RefusesWriters),
        ("Fence.Lifted", FencePromises.Lifted),
        ("Fence.MissingCopy", FencePromises.MissingCopy),
        ("Errors.CopyMissing", CopyPromises.MissingCopyErrors),
        ("Sidecar.ReplaceRead", SidecarPromises.ReplaceRead),
        ("Sidecar.DeleteIdempotent", SidecarPromises.DeleteIdempotent),
        ("Sidecar.DeleteAll", SidecarPromises.DeleteAll),
        ("Sidecar.ReplaceAll", SidecarPromises.ReplaceAll),
        ("Sidecar.ListByPrefix", SidecarPromises.ListByPrefix),
        ("Sidecar.Open", SidecarPromises.Open),
        ("Crash.ReplaceOldOrNew", CrashPromises.ReplaceOldOrNew),
        ("Clone.Equal", ClonePromises.Equal),
    };
}
