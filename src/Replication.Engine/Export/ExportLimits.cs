using System;
using Replication.Engine.Errors;

namespace Replication.Engine.Export;

/// <summary>
/// How long an export service waits on its NBD clients and how many it serves, so that no client holds a slot for
/// nothing: one that stalls in its handshake or half-way through a frame, or whose host is gone, is dropped; one user or
/// host holds at most its share of the slots; a connection idle long gives up its slot to one that needs it; and, when
/// asked, a connection idle too long is closed.
/// </summary>
public sealed record ExportLimits
{
    /// <summary>
    /// No idle timeout by default: QEMU (without its reconnect-delay option) fails a disk's I/O once its connection is
    /// closed, so closing a quiet VM's connection would break its disk. Slots are kept for others by the per-client limit,
    /// and a client whose host is gone is found by TCP keepalive (<see cref="DeadClientTimeout"/>).
    /// </summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.Zero;

    public const int DefaultConnectionsPerClient = 16;

    /// <summary>The most clients served at once, whoever they are.</summary>
    public const int MaxConnections = 64;

    /// <summary>The longest idle timeout taken: a day (a connection idle longer is abandoned).</summary>
    public static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromDays(1);

    public static ExportLimits Default { get; } = new();

    /// <summary>A connection that sends no request for this long is closed; <see cref="TimeSpan.Zero"/> keeps idle connections open.</summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>How many connections one client (a local user, or a remote address) may hold, so the rest stay free for others.</summary>
    public int ConnectionsPerClient { get; init; } = DefaultConnectionsPerClient;

    /// <summary>
    /// When a new connection finds its client's share or the server full, the connection idle longest (of that client,
    /// else of the client holding the most) gives up its slot if it has sent no request for this long; zero never takes
    /// a slot. A minute: a quiet VM whose connection is taken gets I/O errors (see <see cref="DefaultIdleTimeout"/>), so
    /// only a slot someone needs is taken, and only from a connection that has been quiet that long.
    /// </summary>
    public TimeSpan ReclaimIdleAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The whole handshake, from connecting to choosing an export, must be done within this (qemu-nbd allows 10 s too).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Once a frame has begun, each further byte must arrive, and each reply's bytes be taken by the client, within this.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A connection whose client's host stops answering (powered off, cut off: no FIN, no reset ever comes) is dropped
    /// within about this long, by TCP keepalive probes, however quiet a live client may be.
    /// </summary>
    public TimeSpan DeadClientTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>These limits, or InvalidArgument when one is out of its range (nothing is started then).</summary>
    public ExportLimits Validated()
    {
        if (IdleTimeout < TimeSpan.Zero || IdleTimeout > MaxIdleTimeout || (IdleTimeout > TimeSpan.Zero && IdleTimeout < TimeSpan.FromSeconds(1)))
        {
            throw Invalid($"The idle timeout {IdleTimeout:c} is out of range: give 0 (never close an idle connection) or from 1 s to {Humane.Duration(MaxIdleTimeout)}.", IdleTimeout);
        }

        if (ConnectionsPerClient is < 1 or > MaxConnections)
        {
            throw Invalid($"{ConnectionsPerClient} connections per client is out of range: give 1 to {MaxConnections} (the most clients a service serves at once).", ConnectionsPerClient);
        }

        if (HandshakeTimeout <= TimeSpan.Zero || StallTimeout <= TimeSpan.Zero || DeadClientTimeout < TimeSpan.FromSeconds(8) || ReclaimIdleAfter < TimeSpan.Zero)
        {
            throw Invalid("The handshake and stall timeouts must be positive, the reclaim time not negative, and the dead client timeout at least 8 s.", HandshakeTimeout);
        }

        return this;
    }

    /// <summary>Says them as an admin reads them: "idle timeout 15m 00s, 16 connections per client".</summary>
    public override string ToString() =>
        (IdleTimeout == TimeSpan.Zero ? "no idle timeout" : $"idle timeout {Humane.Duration(IdleTimeout)}") + $", {ConnectionsPerClient} connections per client";

    private static ReplicationException Invalid(string message, object value) =>
        new(ErrorIds.InvalidExportLimit, ErrorKind.InvalidArgument, message, value);
}
