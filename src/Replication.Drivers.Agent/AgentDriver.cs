using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf.WellKnownTypes;
using Replication.Agent.Protocol;

namespace Replication.Drivers.Agent;

/// <summary>
/// Backends whose storage is a storage agent at their site (src/Replication.Agent): every storage call is made to the
/// agent over gRPC with mutual TLS, and the agent does the file work there with LocalFile's checks. Between two agent
/// backends the agents move the bytes themselves (<see cref="INativeReplication"/>), so volume data never passes here.
/// </summary>
public sealed partial class AgentDriver : IStorageDriver, INativeCloning
{
    public const string DriverName = "Agent";

    public DriverInfo Info { get; } = new(
        DriverName,
        typeof(AgentDriver).Assembly.GetName().Version ?? new Version(1, 0),
        "file",
        new[]
        {
            new DriverSetting(AgentSettings.AddressKey, "The agent's address, https://host:port.", required: true),
            new DriverSetting(AgentSettings.ClientCertificateKey, "The absolute path of the client certificate this host presents: a .pfx/.p12 file, or a PEM certificate with ClientKey (0600).", required: true),
            new DriverSetting(AgentSettings.ServerThumbprintKey, "The SHA-256 thumbprint of the agent's certificate, pinned (64 hex digits).", required: true),
            new DriverSetting(AgentSettings.ClientKeyKey, "The absolute path of the PEM key of a PEM ClientCertificate (0600)."),
            new DriverSetting(AgentSettings.ClientCertificatePasswordKey, "The password of a .pfx ClientCertificate, as a secret reference (env:NAME, vault:VAULT/NAME).", secret: true),
            new DriverSetting(AgentSettings.ReplicationAddressKey, "Where the partner site's agent reaches this agent (https://host:port), when not at Address."),
        },
        new[] { "volume_backend_name", "vendor_name", "driver_version", "storage_protocol", "thin_provisioning_support", "total_capacity_gb", "free_capacity_gb" });

    public IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, string> settings) => AgentSettings.Validate(settings);

    public bool PrepareBackend(BackendConfiguration backend)
    {
        var agent = AgentClients.For(backend);
        return agent.Call((client, options) => client.PrepareBackend(agent.Backend, options)).Value;
    }

    public void AbandonBackend(BackendConfiguration backend)
    {
        try
        {
            var agent = AgentClients.For(backend);
            agent.Call((client, options) => client.AbandonBackend(agent.Backend, options));
        }
        catch (StorageDriverException)
        {
            // Leaving an empty folder at the site is harmless; the definition's own failure is what the admin needs to see.
        }
    }

    public IReadOnlyDictionary<string, object?> ReportCapabilities(BackendConfiguration backend)
    {
        var agent = AgentClients.For(backend);
        var reply = agent.Call((client, options) => client.ReportCapabilities(agent.Backend, options));
        return reply.Values.ToDictionary(pair => pair.Key, pair => ValueOf(pair.Value), StringComparer.OrdinalIgnoreCase);
    }

    public BackendProbe Probe(BackendConfiguration backend)
    {
        AgentClient agent;
        ProbeReply reply;
        try
        {
            agent = AgentClients.For(backend);
            reply = agent.Call((client, options) => client.Probe(agent.Backend, options));
        }
        catch (StorageDriverException ex)
        {
            return new BackendProbe { Location = backend.Settings.TryGetValue(AgentSettings.AddressKey, out var address) ? address : backend.Name, Unreachable = ex.Message };
        }

        return new BackendProbe
        {
            Location = $"{AgentSettings.Of(backend.Settings).Address} {reply.Location}",
            Unreachable = reply.HasUnreachable ? reply.Unreachable : null,
            Writable = reply.Writable,
            WriteProblem = reply.HasWriteProblem ? reply.WriteProblem : null,
            TotalBytes = reply.HasTotalBytes ? reply.TotalBytes : null,
            FreeBytes = reply.HasFreeBytes ? reply.FreeBytes : null,
            BlockSize = reply.HasBlockSize ? reply.BlockSize : null,
            HolesSupported = reply.HasHolesSupported ? reply.HolesSupported : null,
            HolesDetail = reply.HasHolesDetail ? reply.HolesDetail : null,
            ProbeFileTime = reply.HasProbeFileTimeTicks ? new DateTimeOffset(reply.ProbeFileTimeTicks, TimeSpan.Zero) : null,
        };
    }

    /// <summary>The agent keeps copies as LocalFile does, and accepts locations of this form only.</summary>
    public string LocationFor(Guid copyId) => $"volume-{copyId:D}.img";

    public IReadOnlyList<string> ListCopies(BackendConfiguration backend)
    {
        var agent = AgentClients.For(backend);
        return agent.Call((client, options) => client.ListCopies(agent.Backend, options)).Names_.ToList();
    }

    public void CreateCopy(BackendConfiguration backend, string location, long sizeBytes)
    {
        var agent = AgentClients.For(backend);
        agent.Call((client, options) => client.CreateCopy(new CopySize { Copy = agent.Copy(location), SizeBytes = sizeBytes }, options));
    }

    public void DeleteCopy(BackendConfiguration backend, string location)
    {
        var agent = AgentClients.For(backend);
        agent.Call((client, options) => client.DeleteCopy(agent.Copy(location), options));
    }

    public void ResizeCopy(BackendConfiguration backend, string location, long sizeBytes)
    {
        var agent = AgentClients.For(backend);
        agent.Call((client, options) => client.ResizeCopy(new CopySize { Copy = agent.Copy(location), SizeBytes = sizeBytes }, options));
    }

    public long? CopyLength(BackendConfiguration backend, string location)
    {
        var agent = AgentClients.For(backend);
        var reply = agent.Call((client, options) => client.CopyLength(agent.Copy(location), options));
        return reply.HasValue ? reply.Value : null;
    }

    public IBlockDevice Open(BackendConfiguration backend, string location, DeviceAccess access)
    {
        var agent = AgentClients.For(backend);
        var request = new OpenDeviceRequest { Copy = agent.Copy(location), Access = access == DeviceAccess.Read ? Access.Read : Access.ReadWrite };
        return new AgentBlockDevice(agent, agent.Call((client, options) => client.OpenDevice(request, options)));
    }

    public void SetFence(BackendConfiguration backend, string location, bool fenced)
    {
        var agent = AgentClients.For(backend);
        agent.Call((client, options) => client.SetFence(new FenceRequest { Copy = agent.Copy(location), Fenced = fenced }, options));
    }

    public bool? IsFenced(BackendConfiguration backend, string location) => Unreachable(() =>
    {
        var agent = AgentClients.For(backend);
        var reply = agent.Call((client, options) => client.IsFenced(agent.Copy(location), options));
        return reply.HasValue ? reply.Value : (bool?)null;
    });

    public string? ChangeStamp(BackendConfiguration backend, string location) => Unreachable(() =>
    {
        var agent = AgentClients.For(backend);
        var reply = agent.Call((client, options) => client.ChangeStamp(agent.Copy(location), options));
        return reply.HasValue ? reply.Value : null;
    });

    /// <summary>The copy's path at the agent's site, for a hypervisor there.</summary>
    public ConnectionInfo Connect(BackendConfiguration backend, string location)
    {
        var agent = AgentClients.For(backend);
        var reply = agent.Call((client, options) => client.Connect(agent.Copy(location), options));
        return new ConnectionInfo(reply.DriverVolumeType, new Dictionary<string, string>(reply.Data));
    }

    public ISidecarStore Sidecars(BackendConfiguration backend) => new AgentSidecarStore(AgentClients.For(backend));

    public bool TryCloneCopy(BackendConfiguration backend, string sourceLocation, string targetLocation)
    {
        var agent = AgentClients.For(backend);
        return agent.Call((client, options) => client.CloneCopy(new CloneRequest { Backend = agent.Backend, SourceLocation = sourceLocation, TargetLocation = targetLocation }, options)).Value;
    }

    private static T? Unreachable<T>(Func<T?> ask)
    {
        try
        {
            return ask();
        }
        catch (StorageDriverException ex) when (ex.ErrorId is DriverErrorIds.BackendUnreachable or DriverErrorIds.IoFault or DriverErrorIds.StorageRefused)
        {
            return default;
        }
    }

    private static object? ValueOf(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.BoolValue => value.BoolValue,
        Value.KindOneofCase.NumberValue => value.NumberValue,
        Value.KindOneofCase.StringValue => value.StringValue,
        _ => null,
    };
}
