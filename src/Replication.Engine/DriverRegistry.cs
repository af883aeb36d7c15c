using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Drivers;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Errors;

namespace Replication.Engine;

/// <summary>
/// The drivers the engine can use, by name (case-insensitive, as admins type them): the built-in LocalFile, any driver
/// added while the module runs, and (for a registry of a state store) the drivers registered in that store
/// (Register-StorageDriver), loaded from their own assemblies when first asked for.
/// </summary>
public sealed class DriverRegistry
{
    private static readonly IStorageDriver[] BuiltIns = { new LocalFileDriver() };

    // Drivers shipped in the module's drivers folder, each with its own dependencies, loaded the first time a backend
    // uses one (PowerShell 7 only): the Agent driver needs .NET 10 and gRPC, which Windows PowerShell never loads.
    private static readonly IReadOnlyDictionary<string, string> Bundled = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Agent"] = "drivers/Agent/Replication.Drivers.Agent.dll",
    };

    private readonly ConcurrentDictionary<string, EngineDriver> _drivers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Func<string, IStorageDriver?>? _findRegistered;

    /// <param name="findRegistered">Finds a driver this registry does not hold yet by name (null when there is none).</param>
    public DriverRegistry(IEnumerable<IStorageDriver> drivers, Func<string, IStorageDriver?>? findRegistered = null)
    {
        foreach (var driver in drivers)
        {
            Add(driver);
        }

        BuiltInNames = _drivers.Keys.ToList();
        _findRegistered = findRegistered;
    }

    /// <summary>The built-in drivers only.</summary>
    public static DriverRegistry Default { get; } = new(BuiltIns);

    /// <summary>The built-in drivers and those registered in <paramref name="store"/>.</summary>
    public static DriverRegistry ForStore(State.IStateStore store) => new(BuiltIns, name => Engine.Drivers.Loading.StorageDriverCatalog.FindRegistered(store, name));

    /// <summary>
    /// The drivers this registry holds now (a registered driver is held once it was asked for) and those shipped with the
    /// module, which load when first asked for.
    /// </summary>
    public IReadOnlyCollection<string> Names => _drivers.Keys.Union(Bundled.Keys, StringComparer.OrdinalIgnoreCase).OrderBy(name => name, StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>The drivers built into the module (not loaded from a registration).</summary>
    public IReadOnlyCollection<string> BuiltInNames { get; }

    /// <summary>The drivers shipped in the module's drivers folder, loaded or not (on Windows PowerShell they never load).</summary>
    public IReadOnlyCollection<string> BundledNames => Bundled.Keys.ToList();

    /// <summary>What every driver is and accepts.</summary>
    public IReadOnlyList<DriverInfo> Drivers => _drivers.Values.Select(driver => driver.Contract.Info).OrderBy(info => info.Name, StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>
    /// Adds a driver under its <see cref="DriverInfo.Name"/>. The same instance again is not an error; another driver
    /// of a name already taken is refused with DriverExists, so a loaded driver never replaces one in use.
    /// </summary>
    public void Add(IStorageDriver driver)
    {
        if (driver is null)
        {
            throw new ArgumentNullException(nameof(driver));
        }

        var name = driver.Info?.Name;
        Rules.Names.Validate("storage driver", name);
        var added = _drivers.GetOrAdd(name!, _ => new EngineDriver(driver));
        if (!ReferenceEquals(added.Contract, driver))
        {
            throw new ReplicationException(ErrorIds.DriverExists, ErrorKind.ResourceExists,
                $"There is already a storage driver named '{name}' ({added.Contract.GetType().FullName}); a driver cannot replace another.", name);
        }
    }

    /// <summary>The driver of that name; a registered one is loaded on first use. UnknownDriver when there is none.</summary>
    public EngineDriver Get(string name)
    {
        if (_drivers.TryGetValue(name, out var driver))
        {
            return driver;
        }

        if (Bundled.TryGetValue(name, out var bundled))
        {
            Add(LoadBundled(name, bundled));
            return _drivers[name];
        }

        if (_findRegistered?.Invoke(name) is { } registered)
        {
            Add(registered);
            return _drivers[registered.Info.Name];
        }

        throw new ReplicationException(ErrorIds.UnknownDriver, ErrorKind.InvalidArgument,
            $"There is no storage driver named '{Rules.Names.Printable(name)}'. Known drivers: {string.Join(", ", Names)}; Get-StorageDriver lists the registered ones, Register-StorageDriver adds one.", name);
    }

    private static IStorageDriver LoadBundled(string name, string relativePath)
    {
        if (Engine.Drivers.Loading.DriverAssemblies.IsDotNetFramework)
        {
            throw new ReplicationException(ErrorIds.DriverLoadFailed, ErrorKind.InvalidOperation,
                $"The {name} storage driver needs PowerShell 7 (.NET 10); this process runs on {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}.", name);
        }

        var path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(DriverRegistry).Assembly.Location) ?? "", relativePath);
        if (!System.IO.File.Exists(path))
        {
            throw new ReplicationException(ErrorIds.DriverLoadFailed, ErrorKind.ObjectNotFound,
                $"The {name} storage driver ships as '{path}', which is missing (an incomplete installation).", name);
        }

        return Engine.Drivers.Loading.DriverAssemblies.Load(path, Engine.Drivers.Loading.DriverAssemblies.Sha256Of(path));
    }
}
