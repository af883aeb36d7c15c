using System;
using System.IO;
using System.Net.Sockets;
using Npgsql;
using Replication.Engine.Errors;

namespace Replication.State.PostgreSql;

/// <summary>
/// Turns what Npgsql throws into the engine's state-store errors. A lost or refused connection is
/// StateStoreConnectionFailed (a connection error), never a half-applied change: PostgreSQL rolls back every
/// transaction whose connection dropped before COMMIT.
/// </summary>
internal static class PostgreSqlFailures
{
    public const int LockWaitSeconds = 30;

    public static ReplicationException Translate(Exception error, string location, bool duringCommit = false)
    {
        if (error is PostgresException server)
        {
            return server.SqlState switch
            {
                // lock_not_available (lock_timeout), query_canceled (statement timeout)
                "55P03" or "57014" => new ReplicationException(ErrorIds.StateStoreBusy, ErrorKind.ResourceBusy,
                    $"The state database '{location}' stayed locked by another host's change for {LockWaitSeconds} s. Try again when the other command has finished.", location, error),
                // invalid_authorization_specification, invalid_password, insufficient_privilege
                "28000" or "28P01" or "42501" => new ReplicationException(ErrorIds.StateStoreUnavailable, ErrorKind.PermissionDenied,
                    $"The state database '{location}' refused this user: {server.MessageText}", location, error),
                _ when IsConnectionLoss(server) => ConnectionFailed(location, server.MessageText, duringCommit, error),
                _ => new ReplicationException(ErrorIds.StateStoreUnavailable, ErrorKind.ResourceUnavailable,
                    $"The state database '{location}' could not be used ({server.SqlState}): {server.MessageText}", location, error),
            };
        }

        if (error is NpgsqlException or SocketException or IOException or TimeoutException)
        {
            return ConnectionFailed(location, error.InnerException?.Message ?? error.Message, duringCommit, error);
        }

        if (error is ArgumentException or FormatException)
        {
            return new ReplicationException(ErrorIds.StateStoreUnavailable, ErrorKind.InvalidArgument,
                $"The PostgreSQL connection string '{location}' is not valid: {error.Message}", location, error);
        }

        return new ReplicationException(ErrorIds.StateStoreUnavailable, ErrorKind.ResourceUnavailable,
            $"The state database '{location}' could not be used: {error.Message}", location, error);
    }

    /// <summary>Worth another try: the server was unreachable, restarting or full, and nothing has been done yet.</summary>
    public static bool IsTransient(Exception error) => error switch
    {
        PostgresException server => IsConnectionLoss(server) || server.SqlState == "53300", // too_many_connections
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => error is SocketException or TimeoutException,
    };

    // connection_exception (08...), admin_shutdown, crash_shutdown, cannot_connect_now
    private static bool IsConnectionLoss(PostgresException server) =>
        server.SqlState.StartsWith("08", StringComparison.Ordinal) || server.SqlState is "57P01" or "57P02" or "57P03";

    private static ReplicationException ConnectionFailed(string location, string reason, bool duringCommit, Exception error) =>
        new(ErrorIds.StateStoreConnectionFailed, ErrorKind.ConnectionError, duringCommit
                ? $"The connection to the state database '{location}' broke while committing ({reason}). PostgreSQL applied the change entirely or not at all; check with Get-ReplicationEvent before running the command again."
                : $"The connection to the state database '{location}' failed ({reason}). Nothing of this change was applied; run the command again when the server is reachable.",
            location, error);
}
