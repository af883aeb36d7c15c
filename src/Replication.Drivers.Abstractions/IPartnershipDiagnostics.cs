using System;
using System.Collections.Generic;

namespace Replication.Drivers;

/// <summary>
/// A driver whose backends are reached through services on a network (storage agents): it measures what a pre-flight
/// check of a pair needs beyond <see cref="IStorageDriver.Probe"/>, the certificates in use and the link between the two
/// sites. It only measures; the engine judges the numbers (Test-ReplicationPartnership).
/// </summary>
public interface IPartnershipDiagnostics
{
    /// <summary>
    /// The certificates reaching the backend's storage depends on: those held here (the client certificate this host
    /// presents) even when the storage cannot be reached, and those of the storage's service when it can.
    /// </summary>
    BackendCertificates Certificates(BackendConfiguration backend);

    /// <summary>
    /// Measures the link a round from <paramref name="primary"/> to <paramref name="replica"/> takes (for agents: from the
    /// primary's agent to the replica's): the round-trip time, a transfer of at most <paramref name="maxBytes"/> or
    /// <paramref name="maxDuration"/>, whichever ends first, and the offset of the far side's clock. Nothing is stored.
    /// </summary>
    LinkMeasurement MeasureLink(BackendConfiguration primary, BackendConfiguration replica, long maxBytes, TimeSpan maxDuration);
}

/// <summary>One certificate and the time it is valid in.</summary>
public sealed class CertificateValidity
{
    public CertificateValidity(string role, string subject, string thumbprint, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        Role = role;
        Subject = subject;
        Thumbprint = thumbprint;
        NotBefore = notBefore;
        NotAfter = notAfter;
    }

    /// <summary>What the certificate is for, in words ("the agent's certificate", "the CA the agent trusts").</summary>
    public string Role { get; }

    public string Subject { get; }

    /// <summary>SHA-256, upper-case hex.</summary>
    public string Thumbprint { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }
}

/// <summary>The certificates found for a backend, and why the rest could not be asked.</summary>
public sealed class BackendCertificates
{
    public BackendCertificates(IReadOnlyList<CertificateValidity> certificates, string? unreachable)
    {
        Certificates = certificates;
        Unreachable = unreachable;
    }

    public IReadOnlyList<CertificateValidity> Certificates { get; }

    /// <summary>Why the storage's service could not be asked for its certificates; null when it was.</summary>
    public string? Unreachable { get; }
}

/// <summary>What a link measurement found; when <see cref="Unreachable"/> is set, nothing else was measured.</summary>
public sealed class LinkMeasurement
{
    public LinkMeasurement(string from, string to, TimeSpan roundTrip, long bytes, TimeSpan transferTime, TimeSpan clockOffset)
    {
        From = from;
        To = to;
        RoundTrip = roundTrip;
        Bytes = bytes;
        TransferTime = transferTime;
        ClockOffset = clockOffset;
    }

    private LinkMeasurement(string from, string to, string unreachable)
    {
        From = from;
        To = to;
        Unreachable = unreachable;
    }

    /// <summary>The near end, as an admin would look for it (an agent's address).</summary>
    public string From { get; }

    /// <summary>The far end.</summary>
    public string To { get; }

    /// <summary>Why the far end could not be reached from the near end; null when it could.</summary>
    public string? Unreachable { get; }

    /// <summary>The shortest round trip of a few small calls.</summary>
    public TimeSpan RoundTrip { get; }

    /// <summary>Bytes the far end received in the timed part of the transfer.</summary>
    public long Bytes { get; }

    /// <summary>How long the far end took to receive <see cref="Bytes"/>.</summary>
    public TimeSpan TransferTime { get; }

    /// <summary>The far end's clock minus the near end's, within half of <see cref="RoundTrip"/>.</summary>
    public TimeSpan ClockOffset { get; }

    public static LinkMeasurement Failed(string from, string to, string unreachable) => new(from, to, unreachable);
}
