using Replication.Engine.Errors;
using Replication.Engine.State;

namespace Replication.Engine.Rules;

/// <summary>What a backend's freeze and failover forbid; each refusal says which rule and how to lift it.</summary>
public static class BackendRules
{
    /// <summary>Cinder's freeze: nothing on a frozen backend changes through the module; data replication goes on.</summary>
    public static void RequireNotFrozen(BackendRecord? backend, string operation)
    {
        if (backend?.FrozenAt is { } frozenAt)
        {
            throw new ReplicationException(ErrorIds.BackendFrozen, ErrorKind.InvalidOperation,
                $"Rule: nothing on a frozen backend changes through the module, so {operation} is refused. Backend '{backend.Name}' was frozen at {frozenAt:u}; Resume-StorageBackend thaws it (sync rounds go on meanwhile).", backend.Name);
        }
    }

    /// <summary>A failed-over backend is treated as down until failback: nothing is written to it.</summary>
    public static void RequireNotFailedOver(BackendRecord? backend, string operation)
    {
        if (backend?.FailedOverAt is { } failedOverAt)
        {
            throw new ReplicationException(ErrorIds.BackendFailedOver, ErrorKind.ResourceUnavailable,
                $"Rule: a failed-over backend is treated as down, so {operation} is refused. Backend '{backend.Name}' was failed over at {failedOverAt:u}; Invoke-BackendFailback brings it back once its site is up.", backend.Name);
        }
    }
}
