using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Drivers;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Errors;

namespace Replication.Engine;

/// <summary>The drivers the engine can use, by name (case-insensitive, as admins type them).</summary>
public sealed class DriverRegistry
{
    private readonly Dictionary<string, IVolumeDriver> _drivers;

    public DriverRegistry(IEnumerable<IVolumeDriver> drivers) =>
        _drivers = drivers.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);

    public static DriverRegistry Default { get; } = new(new IVolumeDriver[] { new LocalFileDriver() });

    public IReadOnlyCollection<string> Names => _drivers.Keys;

    public IVolumeDriver Get(string name) => _drivers.TryGetValue(name, out var driver)
        ? driver
        : throw new ReplicationException(ErrorIds.UnknownDriver, ErrorKind.InvalidArgument,
            $"There is no storage driver named '{Rules.Names.Printable(name)}'. Known drivers: {string.Join(", ", _drivers.Keys)}.", name);
}
