using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Placement;
using Replication.Engine.Rules;
using Replication.Engine.State;

namespace Replication.Engine.Catalog;

/// <summary>Defines, lists and removes volume types; every extra spec is checked against Cinder's grammar on the way in.</summary>
public sealed class VolumeTypeCatalog
{
    private readonly EngineContext _context;

    public VolumeTypeCatalog(EngineContext context) => _context = context;

    /// <param name="replicated">Adds capabilities:replication = "&lt;is&gt; True", so every volume of the type is replicated.</param>
    public VolumeType Add(string name, IReadOnlyDictionary<string, string> extraSpecs, string? description, bool replicated)
    {
        Names.Validate("volume type", name);
        if (description is not null && (description.Length > 255 || description.Any(char.IsControl)))
        {
            throw new ReplicationException(ErrorIds.InvalidDescription, ErrorKind.InvalidArgument, "A description is at most 255 characters without control characters.", description);
        }

        var specs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in extraSpecs)
        {
            if (specs.ContainsKey(spec.Key))
            {
                throw new ReplicationException(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument, $"The extra spec '{Names.Printable(spec.Key)}' is given twice.", spec.Key);
            }

            specs.Add(spec.Key, spec.Value);
        }

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
