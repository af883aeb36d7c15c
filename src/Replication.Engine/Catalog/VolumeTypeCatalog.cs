using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Placement;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Catalog;

/// <summary>Defines, lists, changes and removes volume types; every extra spec is checked against Cinder's grammar on the way in.</summary>
public sealed class VolumeTypeCatalog
{
    private readonly EngineContext _context;
    private readonly BackendCatalog _backends;

    public VolumeTypeCatalog(EngineContext context, BackendCatalog backends)
    {
        _context = context;
        _backends = backends;
    }

    /// <param name="replicated">Adds capabilities:replication = "&lt;is&gt; True", so every volume of the type is replicated.</param>
    public VolumeType Add(string name, IReadOnlyDictionary<string, string> extraSpecs, string? description, bool replicated)
    {
        Names.Validate("volume type", name);
        CheckDescription(description);
        var specs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        AddOnce(specs, extraSpecs);

        if (replicated)
        {
            if (specs.TryGetValue(VolumeTypeSpecs.ReplicationKey, out var given) && given != VolumeTypeSpecs.ReplicationRequirement)
            {
                throw new ReplicationException(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument,
                    $"A replicated volume type sets {VolumeTypeSpecs.ReplicationKey} = '{VolumeTypeSpecs.ReplicationRequirement}' itself; the extra spec '{given}' contradicts it. Use New-VolumeType for other replication specs.", VolumeTypeSpecs.ReplicationKey);
            }

            specs[VolumeTypeSpecs.ReplicationKey] = VolumeTypeSpecs.ReplicationRequirement;
        }

        var parsed = new VolumeTypeSpecs(specs);
        var record = new VolumeTypeRecord { Name = name, Description = description, ExtraSpecs = specs, CreatedAt = _context.Now };
        using var session = _context.Store.Begin(write: true);
        if (session.FindVolumeType(name) is not null)
        {
            throw new ReplicationException(ErrorIds.VolumeTypeExists, ErrorKind.ResourceExists, $"A volume type named '{name}' already exists.", name);
        }

        session.InsertVolumeType(record);
        session.AppendEvent(_context.Event("CreateVolumeType", "VolumeType", name,
            $"Volume type '{name}' with extra specs {Describe(specs)}" + (parsed.RequiresReplication ? "; its volumes are replicated." : ".")));
        session.Commit();
        return ToModel(record, parsed);
    }

    public IReadOnlyList<VolumeType> List()
    {
        using var session = _context.Store.Begin(write: false);
        return session.ListVolumeTypes().Select(ToModel).ToList();
    }

    /// <summary>The volume types with these names, looked up by key; a name that matches none is left out.</summary>
    public IReadOnlyList<VolumeType> List(IReadOnlyCollection<string> names)
    {
        using var session = _context.Store.Begin(write: false);
        return names.Select(session.FindVolumeType).OfType<VolumeTypeRecord>().Select(ToModel).ToList();
    }

    public VolumeType Get(string name)
    {
        using var session = _context.Store.Begin(write: false);
        return ToModel(Find(session, name));
    }

    /// <summary>
    /// Changes a type's extra specs (<paramref name="set"/> adds or replaces, <paramref name="remove"/> drops) and, when
    /// given, its description. Whether the type's volumes are replicated, and how, cannot change while it has volumes
    /// (VolumeTypeInUse). A change whose capability specs a volume's backend does not meet is refused naming the volumes
    /// (VolumeTypeSpecsNotMet), or with <paramref name="force"/> made and reported in the result and the event.
    /// </summary>
    public VolumeTypeChange Change(string name, IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> remove, string? description, bool force)
    {
        CheckDescription(description);
        var additions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        AddOnce(additions, set);
        var both = remove.FirstOrDefault(additions.ContainsKey);
        if (both is not null)
        {
            throw new ReplicationException(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument, $"The extra spec '{Names.Printable(both)}' is both set and removed.", both);
        }

        // The backends' capabilities are asked outside the transaction (a driver may take a moment), as placement does.
        var backends = _backends.List();
        using var session = _context.Store.Begin(write: true);
        var record = Find(session, name);
        var missing = remove.FirstOrDefault(key => !record.ExtraSpecs.ContainsKey(key));
        if (missing is not null)
        {
            throw new ReplicationException(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument,
                $"Volume type '{record.Name}' has no extra spec '{Names.Printable(missing)}' to remove. Get-VolumeType '{record.Name}' shows its specs.", missing);
        }

        var specs = new Dictionary<string, string>(record.ExtraSpecs.ToDictionary(s => s.Key, s => s.Value), StringComparer.OrdinalIgnoreCase);
        foreach (var key in remove)
        {
            specs.Remove(key);
        }

        foreach (var spec in additions)
        {
            specs[spec.Key] = spec.Value;
        }

        var before = new VolumeTypeSpecs(record.ExtraSpecs);
        var after = new VolumeTypeSpecs(specs);
        var replicationChanges = before.RequiresReplication != after.RequiresReplication || before.ReplicationType != after.ReplicationType;
        var volumes = replicationChanges ? session.ListVolumes(new VolumeQuery { VolumeType = record.Name }) : Array.Empty<VolumeRecord>();
        if (volumes.Count > 0)
        {
            throw new ReplicationException(ErrorIds.VolumeTypeInUse, ErrorKind.InvalidOperation,
                $"Rule: whether and how a volume type's volumes are replicated cannot change while volumes use it. Volume type '{record.Name}' is used by {volumes.Count} volume(s) ({Some(volumes.Select(v => v.Name))}). Define a new type for volumes replicated otherwise.", record.Name);
        }

        // Only a change of the recovery point policy can prune a point inside its immutability window.
        var pointsAtStake = before.RecoveryPoints != after.RecoveryPoints ? session.ListVolumes(new VolumeQuery { VolumeType = record.Name }) : Array.Empty<VolumeRecord>();
        RecoveryPoints.RecoveryPointLedger.RequireImmutableKept(session, pointsAtStake, before.RecoveryPoints, after.RecoveryPoints, _context.Now, record.Name);
        var notMet = NotMeeting(session, record.Name, after, backends);
        if (notMet.Count > 0 && !force)
        {
            throw new ReplicationException(ErrorIds.VolumeTypeSpecsNotMet, ErrorKind.InvalidOperation,
                $"Rule: a volume type's extra specs must hold for the backends its volumes are on. After this change, {notMet.Count} volume(s) of type '{record.Name}' would not meet them: {Some(notMet)}. -Force changes the type anyway and reports them.", record.Name);
        }

        var changed = new VolumeTypeRecord { Name = record.Name, ExtraSpecs = specs, Description = description ?? record.Description, CreatedAt = record.CreatedAt };
        session.UpdateVolumeType(changed);
        session.AppendEvent(_context.Event("ChangeVolumeType", "VolumeType", record.Name,
            $"Volume type '{record.Name}': extra specs {Describe(record.ExtraSpecs)} -> {Describe(specs)}" +
            (description is not null ? $"; description '{description}'" : "") +
            (notMet.Count > 0 ? $"; changed with -Force though {notMet.Count} volume(s) do not meet them: {Some(notMet)}." : ".")));
        session.Commit();
        return new VolumeTypeChange(ToModel(changed, after), notMet);
    }

    public void Remove(string name)
    {
        using var session = _context.Store.Begin(write: true);
        var record = Find(session, name);
        var users = session.ListVolumes(new VolumeQuery { VolumeType = record.Name });
        if (users.Count > 0)
        {
            throw new ReplicationException(ErrorIds.VolumeTypeInUse, ErrorKind.InvalidOperation,
                $"Rule: a volume type can be removed only when no volume uses it. Volume type '{record.Name}' is used by {users.Count} volume(s) ({string.Join(", ", users.Take(5).Select(v => v.Name))}{(users.Count > 5 ? ", ..." : "")}). Remove those volumes first.", record.Name);
        }

        session.DeleteVolumeType(record.Name);
        session.AppendEvent(_context.Event("RemoveVolumeType", "VolumeType", record.Name, $"Volume type '{record.Name}' removed."));
        session.Commit();
    }

    /// <summary>
    /// The volumes of type <paramref name="typeName"/> whose primary's backend does not meet every capability spec of
    /// <paramref name="specs"/>, with why: judged per backend (a few), and only a backend that fails has its volumes of
    /// the type read, to name them, so a change every backend meets reads no volume.
    /// </summary>
    private static List<string> NotMeeting(IStateSession session, string typeName, VolumeTypeSpecs specs, IReadOnlyList<StorageBackend> backends)
    {
        var result = new List<(string Volume, string Why)>();
        foreach (var backend in backends)
        {
            var why = specs.Requirements.Select(r => (Requirement: r, Match: r.Match(backend.Capabilities))).Where(m => !m.Match.IsSatisfied)
                .Select(m => $"{m.Requirement} not met, '{backend.Name}' {m.Match.Reason}").FirstOrDefault();
            if (why is not null)
            {
                result.AddRange(session.ListVolumes(new VolumeQuery { VolumeType = typeName, Backend = backend.Name })
                    .Where(v => string.Equals(v.Backend, backend.Name, StringComparison.OrdinalIgnoreCase))
                    .Select(v => (v.Name, why)));
            }
        }

        return result.OrderBy(r => r.Volume, StringComparer.OrdinalIgnoreCase).Select(r => $"{r.Volume} ({r.Why})").ToList();
    }

    private static void CheckDescription(string? description)
    {
        if (description is not null && (description.Length > 255 || description.Any(char.IsControl)))
        {
            throw new ReplicationException(ErrorIds.InvalidDescription, ErrorKind.InvalidArgument, "A description is at most 255 characters without control characters.", description);
        }
    }

    private static void AddOnce(Dictionary<string, string> specs, IReadOnlyDictionary<string, string> given)
    {
        foreach (var spec in given)
        {
            if (specs.ContainsKey(spec.Key))
            {
                throw new ReplicationException(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument, $"The extra spec '{Names.Printable(spec.Key)}' is given twice.", spec.Key);
            }

            specs.Add(spec.Key, spec.Value);
        }
    }

    private static string Some(IEnumerable<string> items)
    {
        var list = items.Take(6).ToList();
        return string.Join(", ", list.Take(5)) + (list.Count > 5 ? ", ..." : "");
    }

    internal static VolumeTypeRecord Find(IStateSession session, string name) =>
        session.FindVolumeType(name) ?? throw new ReplicationException(ErrorIds.VolumeTypeNotFound, ErrorKind.ObjectNotFound,
            $"There is no volume type named '{Names.Printable(name)}'. Get-VolumeType lists them.", name);

    internal static VolumeType ToModel(VolumeTypeRecord record) => ToModel(record, new VolumeTypeSpecs(record.ExtraSpecs));

    private static VolumeType ToModel(VolumeTypeRecord record, VolumeTypeSpecs specs) => new()
    {
        Name = record.Name,
        Description = record.Description,
        ExtraSpecs = new NamedValues<string>(record.ExtraSpecs),
        IsReplicated = specs.RequiresReplication,
        ReplicationType = specs.ReplicationType.ToString(),
        CreatedAt = record.CreatedAt,
    };

    private static string Describe(IReadOnlyDictionary<string, string> specs) =>
        specs.Count == 0 ? "(none)" : string.Join(", ", specs.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}='{s.Value}'"));
}
