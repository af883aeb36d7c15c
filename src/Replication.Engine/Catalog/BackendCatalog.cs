using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Catalog;

/// <summary>Defines, lists and removes storage backends, and works out what each reports.</summary>
public sealed class BackendCatalog
{
    /// <summary>Capabilities the engine itself reports; admins cannot declare them.</summary>
    private static readonly string[] EngineCapabilities = { "replication", "replication_partner", "replication_type" };

    private readonly EngineContext _context;

    public BackendCatalog(EngineContext context) => _context = context;

    public StorageBackend Add(BackendDefinition definition, IOperationObserver observer)
    {
        Names.Validate("backend", definition.Name);
        var driver = _context.Drivers.Get(definition.Driver);
        if (definition.ReplicationPartner is { } partnerName)
        {
            Names.Validate("replication partner", partnerName);
            if (string.Equals(partnerName, definition.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw new ReplicationException(ErrorIds.InvalidReplicationPartner, ErrorKind.InvalidArgument,
                    $"Backend '{definition.Name}' cannot be its own replication partner: a replica must be on another backend.", definition.Name);
            }
        }

        var reserved = driver.ReportedCapabilities.Concat(EngineCapabilities);
        var (path, settings) = Validated(driver, definition.Settings, definition.Path, definition.Name);
        Drivers.Loading.SecretReferences.RequireResolvable(driver.Contract.Info, settings, definition.Name);
        var record = new BackendRecord
        {
            Name = definition.Name,
            Driver = driver.Name,
            Path = path,
            ReplicationPartner = definition.ReplicationPartner,
            DeclaredCapabilities = DeclaredCapabilities.Validate(definition.DeclaredCapabilities, reserved),
            Settings = settings,
            CreatedAt = _context.Now,
        };

        using (var read = _context.Store.Begin(write: false))
        {
            record = record with { StoreId = read.StoreIdentity() };
            CheckUnique(read, record);
            CheckOwnStorage(record, read.ListBackends());
        }

        // Only now touch the file system, so refused input creates no folder.
        var created = driver.PrepareBackend(record);
        try
        {
            return Insert(record, observer);
        }
        catch (Exception) when (created)
        {
            driver.AbandonBackend(record);
            throw;
        }
    }

    /// <summary>
    /// The settings as the driver checked them, with LocalFile's folder (-Path, its Path setting) apart: state keeps it in
    /// its own column, as backends always had it. A driver without a Path setting refuses -Path as any unknown setting.
    /// </summary>
    private static (string Path, IReadOnlyDictionary<string, string> Settings) Validated(Drivers.EngineDriver driver, IReadOnlyDictionary<string, object?> given, string? path, string backendName)
    {
        var settings = given.ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(path))
        {
            settings[Drivers.BackendBinding.PathSetting] = path;
        }

        var validated = driver.ValidateSettings(settings, backendName);
        var stored = validated.Where(s => !string.Equals(s.Key, Drivers.BackendBinding.PathSetting, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase);
        var storedPath = validated.FirstOrDefault(s => string.Equals(s.Key, Drivers.BackendBinding.PathSetting, StringComparison.OrdinalIgnoreCase)).Value ?? "";
        return (storedPath, stored);
    }

    private StorageBackend Insert(BackendRecord record, IOperationObserver observer)
    {
        using var session = _context.Store.Begin(write: true);
        CheckUnique(session, record);
        if (record.ReplicationPartner is { } partner && session.FindBackend(partner) is { } existing)
        {
            DescribePairing(record, existing, observer);
        }

        session.InsertBackend(record);
        session.AppendEvent(_context.Event("CreateBackend", "Backend", record.Name,
            $"Backend '{record.Name}' ({record.Driver})" + (record.Path.Length == 0 ? "" : $" at '{record.Path}'") + (record.ReplicationPartner is null ? "." : $", replication partner '{record.ReplicationPartner}'.")));
        var all = session.ListBackends();
        session.Commit();
        return Describe(record, all);
    }

    public IReadOnlyList<StorageBackend> List()
    {
        using var session = _context.Store.Begin(write: false);
        var all = session.ListBackends();
        return all.Select(b => Describe(b, all)).ToList();
    }

    /// <summary>The backends with these names; a name that matches none is left out. Each is described with its partner, so all are read.</summary>
    public IReadOnlyList<StorageBackend> List(IReadOnlyCollection<string> names)
    {
        using var session = _context.Store.Begin(write: false);
        var all = session.ListBackends();
        return names.Select(name => all.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase))).OfType<BackendRecord>().Select(b => Describe(b, all)).ToList();
    }

    public StorageBackend Get(string name)
    {
        using var session = _context.Store.Begin(write: false);
        var all = session.ListBackends();
        return Describe(Find(all, name), all);
    }

    public void Remove(string name)
    {
        using var session = _context.Store.Begin(write: true);
        var backend = session.FindBackend(name) ?? throw NotFound(name);
        BackendRules.RequireNotFrozen(backend, "removing the backend");
        var users = session.ListVolumes(new VolumeQuery { Backend = backend.Name });
        if (users.Count > 0)
        {
            throw new ReplicationException(ErrorIds.BackendInUse, ErrorKind.InvalidOperation,
                $"Rule: a backend can be removed only when it holds no copy of any volume. Backend '{backend.Name}' holds copies of {users.Count} volume(s) ({string.Join(", ", users.Take(5).Select(v => v.Name))}{(users.Count > 5 ? ", ..." : "")}). Move them to another backend first (Get-Volume -Backend '{backend.Name}' | Move-Volume -Backend <another>), or remove them (Remove-Volume).", backend.Name);
        }

        // A move left unfinished has copies on the backends it names, and a snapshot stays where it was taken.
        var moving = session.ListVolumes(VolumeQuery.All).Where(v => v.PendingChange is { } change &&
            new[] { change.FromBackend, change.FromReplicaBackend, change.ToBackend, change.ToReplicaBackend }.Any(b => string.Equals(b, backend.Name, StringComparison.OrdinalIgnoreCase))).ToList();
        if (moving.Count > 0)
        {
            throw new ReplicationException(ErrorIds.BackendInUse, ErrorKind.InvalidOperation,
                $"Rule: a backend can be removed only when no unfinished change of a volume's copies involves it. A move of {string.Join(", ", moving.Select(v => $"'{v.Name}'"))} to or from '{backend.Name}' was left unfinished: Repair-ReplicationState (or Move-Volume again) settles it first.", backend.Name);
        }

        var snapshots = session.ListSnapshots(null).Where(s => string.Equals(s.Backend, backend.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (snapshots.Count > 0)
        {
            throw new ReplicationException(ErrorIds.BackendInUse, ErrorKind.InvalidOperation,
                $"Rule: a backend can be removed only when it keeps no volume snapshot. Backend '{backend.Name}' keeps {snapshots.Count} ({string.Join(", ", snapshots.Take(5).Select(s => $"'{s.Name}'"))}{(snapshots.Count > 5 ? ", ..." : "")}): Remove-VolumeSnapshot removes them.", backend.Name);
        }

        session.DeleteBackend(backend.Name);
        session.AppendEvent(_context.Event("RemoveBackend", "Backend", backend.Name, $"Backend '{backend.Name}' removed; its folder '{backend.Path}' was left as it is."));
        session.Commit();
    }

    /// <summary>
    /// Set-StorageBackend: changes declared capabilities, the replication partner and driver settings, in one transaction
    /// and one ChangeBackend event. Refused, naming the volumes, where the change would break what the backend holds: a
    /// new partner while it holds copies of replicated volumes (their replicas stay where they are), capabilities their
    /// types' specs no longer meet. Settings are as the driver's ValidateSettings allows; the folder (Path) never
    /// changes, since every copy on the backend lives in it.
    /// </summary>
    public StorageBackend Change(string name, BackendEdit edit)
    {
        using var session = _context.Store.Begin(write: true);
        var backend = session.FindBackend(name) ?? throw NotFound(name);
        BackendRules.RequireNotFrozen(backend, "changing the backend");
        var driver = _context.Drivers.Get(backend.Driver);
        var changed = backend with
        {
            DeclaredCapabilities = EditedCapabilities(backend, edit, driver.ReportedCapabilities.Concat(EngineCapabilities)),
            ReplicationPartner = edit.ChangePartner ? CheckedPartner(backend, edit.ReplicationPartner) : backend.ReplicationPartner,
            Settings = EditedSettings(backend, edit, driver),
        };
        if (!string.Equals(changed.ReplicationPartner ?? "", backend.ReplicationPartner ?? "", StringComparison.OrdinalIgnoreCase))
        {
            var holds = session.ListVolumes(new VolumeQuery { Backend = backend.Name });
            RequireNone(backend, holds.Where(v => v.ReplicaBackend is not null).Select(v => v.Name).ToList(),
                "a backend's replication partner changes only while it holds no copy of a replicated volume, whose replica would stay on the old partner",
                "Remove those volumes (or Set-Volume -VolumeType them to a type that does not replicate) first");
        }

        var others = session.ListBackends().Where(b => !string.Equals(b.Name, backend.Name, StringComparison.OrdinalIgnoreCase)).Append(changed).ToList();
        var capabilities = Describe(changed, others).Capabilities;
        // Judged per volume type (a few), not per volume (a fleet): only a type the change breaks has its volumes here read, to name them.
        var notMet = new List<string>();
        foreach (var type in session.ListVolumeTypes())
        {
            var specs = new Placement.VolumeTypeSpecs(type.ExtraSpecs);
            if (specs.Requirements.Select(r => (Requirement: r, Match: r.Match(capabilities))).FirstOrDefault(m => !m.Match.IsSatisfied) is { Requirement: not null } unmet)
            {
                notMet.AddRange(session.ListVolumes(new VolumeQuery { Backend = backend.Name, VolumeType = type.Name })
                    .Where(v => string.Equals(v.Backend, backend.Name, StringComparison.OrdinalIgnoreCase))
                    .Select(v => $"{v.Name} ({unmet.Requirement} not met, '{backend.Name}' {unmet.Match.Reason})"));
            }
        }

        RequireNone(backend, notMet, "a backend's capabilities must keep meeting the specs of the volume types of the volumes on it",
            "Set-VolumeType changes those types first");
        var what = Changes(backend, changed);
        if (what.Count > 0)
        {
            session.UpdateBackend(changed);
            session.AppendEvent(_context.Event("ChangeBackend", "Backend", backend.Name, $"Backend '{backend.Name}': {string.Join("; ", what)}."));
        }

        var all = session.ListBackends().Select(b => string.Equals(b.Name, changed.Name, StringComparison.OrdinalIgnoreCase) ? changed : b).ToList();
        session.Commit();
        return Describe(changed, all);
    }

    private static IReadOnlyDictionary<string, object?> EditedCapabilities(BackendRecord backend, BackendEdit edit, IEnumerable<string> reserved)
    {
        var declared = backend.DeclaredCapabilities.ToDictionary(c => c.Key, c => c.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var key in edit.RemoveCapabilities)
        {
            if (!declared.Remove(key))
            {
                throw new ReplicationException(ErrorIds.InvalidCapability, ErrorKind.InvalidArgument,
                    $"Backend '{backend.Name}' declares no capability '{Names.Printable(key)}' to remove. Get-StorageBackend '{backend.Name}' shows its DeclaredCapabilities.", key);
            }
        }

        foreach (var capability in edit.Capabilities)
        {
            declared[capability.Key] = capability.Value;
        }

        return DeclaredCapabilities.Validate(declared, reserved);
    }

    private static string? CheckedPartner(BackendRecord backend, string? partner)
    {
        if (string.IsNullOrEmpty(partner))
        {
            return null;
        }

        Names.Validate("replication partner", partner);
        if (string.Equals(partner, backend.Name, StringComparison.OrdinalIgnoreCase))
        {
            throw new ReplicationException(ErrorIds.InvalidReplicationPartner, ErrorKind.InvalidArgument,
                $"Backend '{backend.Name}' cannot be its own replication partner: a replica must be on another backend.", backend.Name);
        }

        return partner;
    }

    private static IReadOnlyDictionary<string, string> EditedSettings(BackendRecord backend, BackendEdit edit, Drivers.EngineDriver driver)
    {
        if (edit.Settings.Count == 0)
        {
            return backend.Settings;
        }

        if (edit.Settings.Keys.Any(k => string.Equals(k, Drivers.BackendBinding.PathSetting, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ReplicationException(ErrorIds.InvalidSetting, ErrorKind.InvalidArgument,
                $"The folder of backend '{backend.Name}' cannot change: every copy on it lives there. Define a new backend (New-StorageBackend) for another folder.", backend.Name);
        }

        var merged = backend.Settings.ToDictionary(s => s.Key, s => (object?)s.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var setting in edit.Settings)
        {
            merged[setting.Key] = setting.Value;
        }

        return Validated(driver, merged, backend.Path, backend.Name).Settings;
    }

    private static void RequireNone(BackendRecord backend, IReadOnlyList<string> volumes, string rule, string advice)
    {
        if (volumes.Count > 0)
        {
            throw new ReplicationException(ErrorIds.BackendChangeInUse, ErrorKind.InvalidOperation,
                $"Rule: {rule}. Backend '{backend.Name}' holds {volumes.Count} volume(s) the change would break: {string.Join(", ", volumes.Take(5))}{(volumes.Count > 5 ? ", ..." : "")}. {advice}.", backend.Name);
        }
    }

    /// <summary>Each changed field, before and after, for the event.</summary>
    private static List<string> Changes(BackendRecord before, BackendRecord after)
    {
        static string Text<T>(IReadOnlyDictionary<string, T> map) => "{" + string.Join(", ", map.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => $"{p.Key}={p.Value}")) + "}";
        var changes = new List<string>();
        if (Text(before.DeclaredCapabilities) != Text(after.DeclaredCapabilities))
        {
            changes.Add($"declared capabilities {Text(before.DeclaredCapabilities)} -> {Text(after.DeclaredCapabilities)}");
        }

        if (!string.Equals(before.ReplicationPartner ?? "", after.ReplicationPartner ?? "", StringComparison.OrdinalIgnoreCase))
        {
            changes.Add($"replication partner '{before.ReplicationPartner ?? "(none)"}' -> '{after.ReplicationPartner ?? "(none)"}'");
        }

        if (Text(before.Settings) != Text(after.Settings))
        {
            changes.Add($"settings {Text(before.Settings)} -> {Text(after.Settings)}");
        }

        return changes;
    }

    /// <summary>Cinder's freeze: refuses every change on the backend through the module until thawed; sync rounds go on.</summary>
    public StorageBackend Freeze(string name) => SetFrozen(name, frozen: true);

    public StorageBackend Thaw(string name) => SetFrozen(name, frozen: false);

    private StorageBackend SetFrozen(string name, bool frozen)
    {
        using var session = _context.Store.Begin(write: true);
        var backend = session.FindBackend(name) ?? throw NotFound(name);
        if (backend.FrozenAt is not null != frozen)
        {
            backend = backend with { FrozenAt = frozen ? _context.Now : null };
            session.UpdateBackend(backend);
            session.AppendEvent(_context.Event(frozen ? "FreezeBackend" : "ThawBackend", "Backend", backend.Name,
                frozen ? $"Backend '{backend.Name}' frozen: no create, delete, promotion or re-enable on it until thawed; sync rounds go on." : $"Backend '{backend.Name}' thawed."));
        }

        var all = session.ListBackends();
        session.Commit();
        return Describe(backend, all);
    }

    /// <summary>True when volumes on <paramref name="backend"/> can be replicated: its partner exists, uses the same driver and names it back.</summary>
    public static bool IsPaired(BackendRecord backend, IReadOnlyList<BackendRecord> all) =>
        PartnerOf(backend, all) is not null;

    public static BackendRecord? PartnerOf(BackendRecord backend, IReadOnlyList<BackendRecord> all) =>
        backend.ReplicationPartner is { } name
        && all.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase)) is { } partner
        && string.Equals(partner.ReplicationPartner, backend.Name, StringComparison.OrdinalIgnoreCase)
        && string.Equals(partner.Driver, backend.Driver, StringComparison.OrdinalIgnoreCase)
            ? partner
            : null;

    internal static BackendRecord Find(IReadOnlyList<BackendRecord> all, string name) =>
        all.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase)) ?? throw NotFound(name);

    internal static ReplicationException NotFound(string name) =>
        new(ErrorIds.BackendNotFound, ErrorKind.ObjectNotFound, $"There is no backend named '{Names.Printable(name)}'. Get-StorageBackend lists them.", name);

    internal StorageBackend Describe(BackendRecord record, IReadOnlyList<BackendRecord> all)
    {
        var paired = IsPaired(record, all);
        var capabilities = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var declared in record.DeclaredCapabilities)
        {
            capabilities[declared.Key] = declared.Value;
        }

        foreach (var reported in _context.Drivers.Get(record.Driver).ReportCapabilities(record))
        {
            capabilities[reported.Key] = reported.Value;
        }

        capabilities["replication"] = paired;
        if (paired)
        {
            capabilities["replication_partner"] = record.ReplicationPartner;
            // As Cinder drivers report it: the modes this backend can replicate in, for "replication_type <in> sync".
            capabilities["replication_type"] = _context.Drivers.Get(record.Driver).CanMirror(record, PartnerOf(record, all)!) ? new[] { "async", "sync" } : new[] { "async" };
        }

        return new StorageBackend
        {
            Name = record.Name,
            Driver = record.Driver,
            Path = record.Path,
            ReplicationPartner = record.ReplicationPartner,
            ReplicationEnabled = paired,
            PartnerProblem = PartnerProblem(record, all),
            Capabilities = new NamedValues<object?>(capabilities),
            DeclaredCapabilities = new NamedValues<object?>(record.DeclaredCapabilities),
            Settings = new NamedValues<string>(Validated(_context.Drivers.Get(record.Driver), record.Settings.ToDictionary(s => s.Key, s => (object?)s.Value), record.Path, record.Name).Settings),
            CreatedAt = record.CreatedAt,
            FrozenAt = record.FrozenAt,
            FailedOverAt = record.FailedOverAt,
        };
    }

    private static void CheckUnique(IStateSession session, BackendRecord record)
    {
        if (session.FindBackend(record.Name) is not null)
        {
            throw new ReplicationException(ErrorIds.BackendExists, ErrorKind.ResourceExists, $"A backend named '{record.Name}' already exists.", record.Name);
        }

        var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (record.Path.Length > 0 && session.ListBackends().FirstOrDefault(b => string.Equals(b.Path.TrimEnd('/', '\\'), record.Path.TrimEnd('/', '\\'), comparison)) is { } clash)
        {
            throw new ReplicationException(ErrorIds.BackendPathUnusable, ErrorKind.ResourceExists,
                $"The folder '{record.Path}' already belongs to backend '{clash.Name}'. Each backend needs its own folder: a volume's primary and replica carry the same file name.", record.Path);
        }
    }

    /// <summary>
    /// Rule: each backend has storage of its own. Paths can hide it (a link, another mount, case), so the driver's real
    /// identities decide: the new backend's storage is not another backend's, does not lie inside one, and holds none.
    /// Backends whose storage cannot be reached now are compared by path only (in <see cref="CheckUnique"/>).
    /// </summary>
    private void CheckOwnStorage(BackendRecord record, IReadOnlyList<BackendRecord> existing)
    {
        var driver = _context.Drivers.Get(record.Driver);
        if (driver.StorageLineage(record) is not { } lineage)
        {
            return;
        }

        foreach (var other in existing.Where(b => string.Equals(b.Driver, record.Driver, StringComparison.OrdinalIgnoreCase)))
        {
            if (driver.StorageLineage(other) is not { Self: { } theirs } otherLineage)
            {
                continue;
            }

            var clash = lineage.Self == theirs ? "is the same folder as that of backend '{0}' ('{1}'), reached by another path or a link"
                : lineage.Above.Contains(theirs) ? "lies inside the folder of backend '{0}' ('{1}')"
                : lineage.Self is { } self && otherLineage.Above.Contains(self) ? "holds the folder of backend '{0}' ('{1}')"
                : null;
            if (clash is not null)
            {
                throw new ReplicationException(ErrorIds.BackendFolderTaken, ErrorKind.ResourceExists,
                    $"The folder '{record.Path}' {string.Format(System.Globalization.CultureInfo.InvariantCulture, clash, other.Name, other.Path)}. Each backend needs a folder of its own, apart from every other: " +
                    "a volume's primary and replica carry the same file name, and one backend would take the other's files for leftovers.", record.Path);
            }
        }
    }

    private static void DescribePairing(BackendRecord record, BackendRecord partner, IOperationObserver observer)
    {
        if (!string.Equals(partner.Driver, record.Driver, StringComparison.OrdinalIgnoreCase))
        {
            throw new ReplicationException(ErrorIds.InvalidReplicationPartner, ErrorKind.InvalidArgument,
                $"Backend '{partner.Name}' uses the {partner.Driver} driver; a replication partner of a {record.Driver} backend must use the same driver.", record.Name);
        }

        if (string.Equals(partner.ReplicationPartner, record.Name, StringComparison.OrdinalIgnoreCase))
        {
            observer.Decision($"'{record.Name}' and '{partner.Name}' now name each other: volumes on either can be replicated to the other.");
        }
    }

    /// <summary>Why <paramref name="record"/> cannot replicate to the partner it names; null when it can or names none.</summary>
    private static string? PartnerProblem(BackendRecord record, IReadOnlyList<BackendRecord> all)
    {
        if (record.ReplicationPartner is not { } name || PartnerOf(record, all) is not null)
        {
            return null;
        }

        var partner = all.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
        if (partner is null)
        {
            return $"There is no backend named '{name}' (yet): '{record.Name}' replicates nothing until New-StorageBackend -Name {name} -ReplicationPartner {record.Name} creates it.";
        }

        return !string.Equals(partner.Driver, record.Driver, StringComparison.OrdinalIgnoreCase)
            ? $"'{partner.Name}' uses the {partner.Driver} driver and '{record.Name}' the {record.Driver} driver: partners must use the same one."
            : $"'{partner.Name}' names {(partner.ReplicationPartner is { } other ? $"'{other}'" : "no backend")} as its partner, not '{record.Name}': volumes are replicated only between backends that name each other.";
    }
}
