using System.Collections.Generic;
using Replication.Agent.Protocol;
using Replication.Drivers;
using Replication.Engine.Drivers.LocalFile;

namespace Replication.Agent;

/// <summary>
/// The agent's storage: its one folder, worked on by the engine's LocalFile driver (the same checks: no links followed,
/// files 0600 in a 0700 folder, the folder marked for the state store that owns it). The controller names the backend
/// and its state store; the folder is the agent's own, never the caller's to choose.
/// </summary>
public sealed class AgentStorage
{
    private readonly IReadOnlyDictionary<string, string> _settings;

    public AgentStorage(AgentOptions options)
    {
        _settings = Driver.ValidateSettings(new Dictionary<string, string> { ["Path"] = options.StorageFolder });
    }

    public LocalFileDriver Driver { get; } = new();

    public BackendConfiguration Backend(BackendRef backend) => new(backend.Name, _settings, backend.StateStoreId);

    public BackendConfiguration Backend(CopyRef copy) => Backend(copy.Backend);
}
