using System.Linq;

namespace Replication.Drivers.Conformance;

internal static class BackendPromises
{
    public static string PrepareIdempotent(KitBackend kit)
    {
        kit.Driver.PrepareBackend(kit.Backend);
        var again = kit.Driver.PrepareBackend(kit.Backend);
        KitBackend.Require(!again, "A second PrepareBackend returned true (it created the storage again), so a failed definition would abandon storage the first one made.");
        return "PrepareBackend twice: the second finds the storage ready and returns false.";
    }

    public static string InfoDeclared(KitBackend kit)
    {
        var info = kit.Driver.Info;
        KitBackend.Require(!string.IsNullOrWhiteSpace(info.Name), "Info.Name is empty.");
        KitBackend.Require(info.Version is not null, "Info.Version is null.");
        KitBackend.Require(!string.IsNullOrWhiteSpace(info.ConnectionType), "Info.ConnectionType is empty.");
        var duplicate = info.Settings.GroupBy(s => s.Name, System.StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        KitBackend.Require(duplicate is null, $"Info.Settings declares '{duplicate?.Key}' more than once.");
        return $"{info.Name} {info.Version}, connection type '{info.ConnectionType}', {info.Settings.Count} setting(s), each named once.";
    }

    public static string Probe(KitBackend kit)
    {
        var probe = kit.Driver.Probe(kit.Backend);
        KitBackend.Require(probe is not null, "Probe returned null.");
        KitBackend.Require(probe!.Unreachable is null, $"Probe finds the prepared backend unreachable: {probe.Unreachable}");
        KitBackend.Require(probe.Writable, $"Probe finds the prepared backend not writable: {probe.WriteProblem}");
        KitBackend.Require(!string.IsNullOrEmpty(probe.Location), "Probe names no location.");
        var leftovers = kit.Driver.ListCopies(kit.Backend).Count;
        KitBackend.Require(leftovers == 0, $"Probe left {leftovers} copy(ies) behind.");
        return $"Probe of a prepared backend: reachable, writable, at '{probe.Location}', nothing left behind.";
    }

    public static string Capabilities(KitBackend kit)
    {
        var capabilities = kit.Driver.ReportCapabilities(kit.Backend);
        KitBackend.Require(capabilities is not null, "ReportCapabilities returned null.");
        return $"ReportCapabilities answers {capabilities!.Count} capability(ies).";
    }
}
