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
/// The drivers the engine can use, by name (case-insensitive, as admins type them): the built-in LocalFile, and any
/// driver added while the module runs (a driver loaded from its own assembly).
/// </summary>
public sealed class DriverRegistry
{
    private readonly ConcurrentDictionary<string, EngineDriver> _drivers = new(StringComparer.OrdinalIgnoreCase);

    public DriverRegistry(IEnumerable<IStorageDriver> drivers)
    {
        foreach (var driver in drivers)
        {
            Add(driver);
        }
    }

    public static DriverRegistry Default { get; } = new(new IStorageDriver[] { new LocalFileDriver() });

    public IReadOnlyCollection<string> Names => _drivers.Keys.OrderBy(name => name, StringComparer.OrdinalIgnoreCase).ToList();

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

    public EngineDriver Get(string name) => _drivers.TryGetValue(name, out var driver)
        ? driver
        : throw new ReplicationException(ErrorIds.UnknownDriver, ErrorKind.InvalidArgument,
            $"There is no storage driver named '{Rules.Names.Printable(name)}'. Known drivers: {string.Join(", ", Names)}.", name);
}
