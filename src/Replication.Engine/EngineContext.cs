using System;
using System.Diagnostics;
using Replication.Engine.Model;
using Replication.Engine.State;

namespace Replication.Engine;

/// <summary>What every part of the engine shares: the state store, the drivers, the clock and who is acting.</summary>
public sealed class EngineContext
{
    public EngineContext(IStateStore store, DriverRegistry drivers, Func<DateTimeOffset>? clock = null, string? actor = null)
    {
        Store = store;
        Drivers = drivers;
        Clock = clock ?? (() => DateTimeOffset.UtcNow);
        Actor = actor ?? $"{Environment.UserName}@{Environment.MachineName} ({Process.GetCurrentProcess().Id})";
    }

    public static string Host => Environment.MachineName;

    public static int ProcessId { get; } = Process.GetCurrentProcess().Id;

    public static DateTimeOffset ProcessStartedAt { get; } = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public IStateStore Store { get; }

    public DriverRegistry Drivers { get; }

    public Func<DateTimeOffset> Clock { get; }

    public string Actor { get; }

    public DateTimeOffset Now => Clock();

    /// <summary>Builds an event row stamped with now and the actor; status texts use Cinder's spelling.</summary>
    public ReplicationEvent Event(string operation, string objectType, string objectName, string message,
        Guid? volumeId = null, ReplicationStatus? from = null, ReplicationStatus? to = null) => new()
    {
        Time = Now,
        Actor = Actor,
        Operation = operation,
        ObjectType = objectType,
        ObjectName = objectName,
        VolumeId = volumeId,
        FromStatus = from?.ToCinder(),
        ToStatus = to?.ToCinder(),
        Message = message,
    };
}
