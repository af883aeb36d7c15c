using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace Replication.Drivers.Conformance;

/// <summary>
/// Checks a driver against every promise of the contract on a scratch backend and returns one result per promise.
/// The settings name the scratch storage (for a folder driver, an empty folder): the kit makes and removes copies and
/// sidecars of its own there, and nothing else. A promise that fails does not stop the others.
/// </summary>
public sealed class ConformanceKit
{
    private const string SettingsAccepted = "Settings.Accepted";
    private const string PrepareIdempotent = "Backend.PrepareIdempotent";

    private readonly IStorageDriver _driver;
    private readonly IReadOnlyDictionary<string, string> _settings;

    public ConformanceKit(IStorageDriver driver, IReadOnlyDictionary<string, string> settings)
    {
        _driver = driver ?? throw new ArgumentNullException(nameof(driver));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
    }

    /// <summary>Every promise's name, in the order <see cref="Run"/> checks them.</summary>
    public static IReadOnlyList<string> PromiseNames =>
        new[] { SettingsAccepted, PrepareIdempotent }.Concat(Promises.All.Select(p => p.Name)).ToList();

    public IReadOnlyList<PromiseResult> Run()
    {
        IReadOnlyDictionary<string, string>? settings = null;
        var results = new List<PromiseResult>
        {
            Check(SettingsAccepted, () =>
            {
                settings = SettingsPromises.Accepted(_driver, _settings);
                return "The settings validate, and validating what validation returned gives the same settings.";
            }),
        };
        if (settings is null)
        {
            return results.Concat(PromiseNames.Skip(1).Select(name => NotChecked(name, "the driver refused the settings"))).ToList();
        }

        var kit = new KitBackend(_driver, new BackendConfiguration("conformance-kit", settings, Guid.NewGuid().ToString("N")));
        results.Add(Check(PrepareIdempotent, () => BackendPromises.PrepareIdempotent(kit)));
        if (!results[results.Count - 1].Passed)
        {
            return results.Concat(Promises.All.Select(p => NotChecked(p.Name, "the backend could not be prepared"))).ToList();
        }

        results.AddRange(Promises.All.Select(p => Check(p.Name, () => CleanedUp(kit, p.Check))));
        return results;
    }

    private static string CleanedUp(KitBackend kit, Func<KitBackend, string> check)
    {
        try
        {
            return check(kit);
        }
        finally
        {
            kit.CleanUp();
        }
    }

    private static PromiseResult NotChecked(string name, string why) => new(name, false, $"Not checked: {why}.", TimeSpan.Zero);

    private static PromiseResult Check(string name, Func<string> check)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var detail = check();
            return new PromiseResult(name, true, detail, watch.Elapsed);
        }
        catch (PromiseBroken broken)
        {
            return new PromiseResult(name, false, broken.Message, watch.Elapsed);
        }
        catch (Exception ex)
        {
            return new PromiseResult(name, false, $"Unexpected {ex.GetType().Name}: {ex.Message}", watch.Elapsed);
        }
    }
}
