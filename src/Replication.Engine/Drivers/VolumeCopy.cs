using Replication.Engine.State;

namespace Replication.Engine.Drivers;

/// <summary>One copy of a volume: the backend it is on and where the driver keeps it there.</summary>
public sealed class VolumeCopy
{
    public VolumeCopy(BackendRecord backend, string location)
    {
        Backend = backend;
        Location = location;
    }

    public BackendRecord Backend { get; }

    public string Location { get; }

    public override string ToString() => $"{Backend.Name}:{Location}";
}
