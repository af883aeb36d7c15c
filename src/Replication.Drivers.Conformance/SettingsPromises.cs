using System.Collections.Generic;
using System.Linq;

namespace Replication.Drivers.Conformance;

internal static class SettingsPromises
{
    /// <summary>A name no driver declares.</summary>
    private const string UnknownSetting = "ConformanceKitUnknownSetting";

    /// <summary>Validates the settings, and what validation returned again: stored settings must validate to themselves.</summary>
    public static IReadOnlyDictionary<string, string> Accepted(IStorageDriver driver, IReadOnlyDictionary<string, string> settings)
    {
        var validated = driver.ValidateSettings(settings);
        var again = driver.ValidateSettings(validated);
        KitBackend.Require(SameSettings(validated, again),
            $"Validating the validated settings changed them: {Show(validated)} became {Show(again)}.");
        return validated;
    }

    public static string RefusesUnknown(KitBackend kit)
    {
        var settings = kit.Backend.Settings.ToDictionary(s => s.Key, s => s.Value);
        settings[UnknownSetting] = "1";
        KitBackend.RequireError(DriverErrorIds.InvalidSetting, $"ValidateSettings with an unknown setting '{UnknownSetting}'", () => kit.Driver.ValidateSettings(settings));
        return $"An unknown setting ('{UnknownSetting}') is refused with {DriverErrorIds.InvalidSetting}.";
    }

    public static string RefusesMissingRequired(KitBackend kit)
    {
        var required = kit.Driver.Info.Settings.Where(s => s.Required).Select(s => s.Name).ToList();
        foreach (var name in required)
        {
            var settings = kit.Backend.Settings.Where(s => s.Key != name).ToDictionary(s => s.Key, s => s.Value);
            KitBackend.RequireError(DriverErrorIds.InvalidSetting, $"ValidateSettings without the required setting '{name}'", () => kit.Driver.ValidateSettings(settings));
        }

        return required.Count == 0
            ? "The driver declares no required setting."
            : $"Each required setting left out ({string.Join(", ", required)}) is refused with {DriverErrorIds.InvalidSetting}.";
    }

    private static bool SameSettings(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private static string Show(IReadOnlyDictionary<string, string> settings) =>
        "{" + string.Join("; ", settings.Select(s => $"{s.Key}={s.Value}")) + "}";
}
