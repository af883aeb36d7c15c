using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Drivers;
using Replication.Drivers.Conformance;
using Replication.Engine.Errors;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.Loading;

/// <summary>
/// Storage drivers registered from their own assemblies, kept in the state store so every host using the store loads
/// the same ones without a rebuild of the module (Register-, Get-, Unregister- and Test-StorageDriver).
/// </summary>
public sealed class StorageDriverCatalog
{
    private const string ObjectType = "StorageDriver";

    private readonly EngineContext _context;

    public StorageDriverCatalog(EngineContext context) => _context = context;

    /// <summary>Loads the driver in the assembly (proving it loads) and records it under the name the driver gives itself.</summary>
    public StorageDriverDescription Register(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new ReplicationException(ErrorIds.DriverLoadFailed, ErrorKind.ObjectNotFound, $"There is no driver assembly at '{fullPath}'.", path);
        }

        var sha256 = DriverAssemblies.Sha256Of(fullPath);
        var driver = DriverAssemblies.Load(fullPath, sha256);
        var name = driver.Info.Name;
        var registration = new DriverRegistrationRecord
        {
            Name = name,
            Path = fullPath,
            Sha256 = sha256,
            Version = driver.Info.Version.ToString(),
            RegisteredAt = _context.Now,
        };
        using (var session = _context.Store.Begin(write: true))
        {
            if (_context.Drivers.Names.Contains(name, StringComparer.OrdinalIgnoreCase) ||
                session.ListDriverRegistrations().Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ReplicationException(ErrorIds.DriverExists, ErrorKind.ResourceExists,
                    $"A storage driver named '{Rules.Names.Printable(name)}' is already known; unregister it first to register another assembly under that name.", name);
            }

            session.InsertDriverRegistration(registration);
            session.AppendEvent(_context.Event("RegisterStorageDriver", ObjectType, name, $"Registered storage driver {name} {registration.Version} from '{fullPath}'."));
            session.Commit();
        }

        return Describe(registration, driver, problem: null);
    }

    /// <summary>Registers the driver an installed module declares (the newest version first among those given), as <see cref="Register"/> does for its assembly.</summary>
    public StorageDriverDescription RegisterModule(string moduleName, IReadOnlyList<StorageDriverModule> installed)
    {
        var module = installed.Where(m => string.Equals(m.ModuleName, moduleName, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(m => Version.TryParse(m.ModuleVersion, out var version) ? version : new Version(0, 0)).FirstOrDefault()
            ?? throw new ReplicationException(ErrorIds.DriverModuleNotFound, ErrorKind.ObjectNotFound,
                $"No module named '{Rules.Names.Printable(moduleName)}' on PSModulePath declares a storage driver (PrivateData.{DriverModules.ManifestKey} in its manifest); Get-StorageDriver -ListAvailable lists those that do.", moduleName);
        if (module.Problem is { } problem)
        {
            throw new ReplicationException(ErrorIds.DriverLoadFailed, ErrorKind.InvalidData, $"Module {module} declares a storage driver that cannot be registered: {problem}", moduleName);
        }

        return Register(module.AssemblyPath);
    }

    /// <summary>The modules, each with the name its driver is registered under in this store (by the assembly's path), if it is.</summary>
    public IReadOnlyList<StorageDriverModule> WithRegistrations(IEnumerable<StorageDriverModule> modules)
    {
        var registrations = Registrations();
        var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return modules.Select(m => m with { RegisteredAs = registrations.FirstOrDefault(r => m.AssemblyPath.Length > 0 && string.Equals(r.Path, m.AssemblyPath, comparison))?.Name }).ToList();
    }

    /// <summary>
    /// Forgets a registered driver no backend uses. A process that loaded its assembly keeps it loaded until it ends: the
    /// load contexts are not collectible, as a driver's objects may still be held (devices, exports).
    /// </summary>
    public void Unregister(string name)
    {
        using var session = _context.Store.Begin(write: true);
        var registration = session.ListDriverRegistrations().FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw NotRegistered(name);
        var users = session.ListBackends().Where(b => string.Equals(b.Driver, registration.Name, StringComparison.OrdinalIgnoreCase)).Select(b => b.Name).ToList();
        if (users.Count > 0)
        {
            throw new ReplicationException(ErrorIds.DriverInUse, ErrorKind.InvalidOperation,
                $"Rule: a storage driver can be unregistered only when no backend uses it. {users.Count} backend(s) use '{registration.Name}' ({string.Join(", ", users.Take(5))}{(users.Count > 5 ? ", ..." : "")}); remove them first.", registration.Name);
        }

        session.DeleteDriverRegistration(registration.Name);
        session.AppendEvent(_context.Event("UnregisterStorageDriver", ObjectType, registration.Name, $"Unregistered storage driver {registration.Name} ('{registration.Path}')."));
        session.Commit();
    }

    public IReadOnlyList<DriverRegistrationRecord> Registrations() => Registrations(_context.Store);

    /// <summary>
    /// Every registered driver in the store that loads, for the engine's driver registry (built before an EngineContext
    /// exists); one that does not load (its file gone or changed) is left out, and <see cref="Describe()"/> says why.
    /// </summary>
    public static IReadOnlyList<IStorageDriver> LoadRegistered(IStateStore store) =>
        Registrations(store).Select(TryLoad).Where(loaded => loaded.Driver is not null).Select(loaded => loaded.Driver!).ToList();

    /// <summary>
    /// The registered driver of that name, loaded; null when no driver of that name is registered (a lookup for a
    /// registry that finds drivers registered after it was built). A registered driver that does not load throws DriverLoadFailed.
    /// </summary>
    public static IStorageDriver? FindRegistered(IStateStore store, string name) =>
        Registrations(store).FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)) is { } registration
            ? DriverAssemblies.Load(registration.Path, registration.Sha256)
            : null;

    /// <summary>The registered driver of that name, loaded.</summary>
    public IStorageDriver Load(string name) => FindRegistered(_context.Store, name) ?? throw NotRegistered(name);

    /// <summary>
    /// The built-in drivers (with those shipped in the module's drivers folder), then the registered ones, each loaded to
    /// read its version, connection type and settings.
    /// </summary>
    public IReadOnlyList<StorageDriverDescription> Describe() =>
        _context.Drivers.BuiltInNames.Concat(_context.Drivers.BundledNames).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).Select(DescribeBuiltIn)
            .Concat(Registrations().Select(r =>
            {
                var (driver, problem) = TryLoad(r);
                return Describe(r, driver, problem);
            }))
            .ToList();

    /// <summary>
    /// Runs the conformance kit on a built-in or registered driver with the settings (which name scratch storage for it).
    /// A secret setting in clear is refused (SecretInClear) as New-StorageBackend refuses it; the kit reads no secret.
    /// </summary>
    public IReadOnlyList<StorageDriverTestResult> Test(string name, IReadOnlyDictionary<string, string> settings)
    {
        var shipped = _context.Drivers.BuiltInNames.Concat(_context.Drivers.BundledNames).Contains(name, StringComparer.OrdinalIgnoreCase);
        var driver = shipped ? _context.Drivers.Get(name).Contract : Load(name);
        SecretReferences.RequireReferences(driver.Info, settings, "conformance-kit");
        return new ConformanceKit(driver, settings).Run().Select(r => new StorageDriverTestResult
        {
            Driver = driver.Info.Name,
            Promise = r.Name,
            Passed = r.Passed,
            Detail = r.Detail,
            Duration = r.Duration,
        }).ToList();
    }

    private static IReadOnlyList<DriverRegistrationRecord> Registrations(IStateStore store)
    {
        using var session = store.Begin(write: false);
        return session.ListDriverRegistrations();
    }

    private static (IStorageDriver? Driver, string? Problem) TryLoad(DriverRegistrationRecord registration)
    {
        try
        {
            return (DriverAssemblies.Load(registration.Path, registration.Sha256), null);
        }
        catch (ReplicationException ex)
        {
            return (null, ex.Message);
        }
    }

    private StorageDriverDescription DescribeBuiltIn(string name)
    {
        DriverInfo info;
        try
        {
            info = _context.Drivers.Get(name).Contract.Info;
        }
        catch (ReplicationException ex) when (ex.ErrorId == ErrorIds.DriverLoadFailed)
        {
            // A driver shipped in the drivers folder that this process cannot load (Windows PowerShell, a file missing).
            return new StorageDriverDescription { Name = name, Source = "BuiltIn", Problem = ex.Message };
        }

        return new StorageDriverDescription
        {
            Name = info.Name,
            Version = info.Version.ToString(),
            ConnectionType = info.ConnectionType,
            Source = "BuiltIn",
            Settings = info.Settings.Select(Describe).ToList(),
        };
    }

    private static StorageDriverDescription Describe(DriverRegistrationRecord registration, IStorageDriver? driver, string? problem) => new()
    {
        Name = registration.Name,
        Version = driver?.Info.Version.ToString() ?? registration.Version,
        ConnectionType = driver?.Info.ConnectionType ?? "",
        Source = "Registered",
        Settings = driver?.Info.Settings.Select(Describe).ToList() ?? new List<StorageDriverSetting>(),
        Path = registration.Path,
        RegisteredAt = registration.RegisteredAt,
        Problem = problem,
    };

    private static StorageDriverSetting Describe(DriverSetting setting) => new()
    {
        Name = setting.Name,
        Description = setting.Description,
        Required = setting.Required,
        Secret = setting.Secret,
        DefaultValue = setting.DefaultValue,
    };

    private static ReplicationException NotRegistered(string name) =>
        new(ErrorIds.DriverNotFound, ErrorKind.ObjectNotFound, $"No storage driver named '{Rules.Names.Printable(name)}' is registered.", name);
}
