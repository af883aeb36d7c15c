using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Replication.Drivers;

namespace Replication.Engine.Preflight;

/// <summary>
/// The rule for the certificates a backend's storage is reached with (<see cref="IPartnershipDiagnostics"/>): one that
/// is not valid yet or has expired fails as an error (the TLS handshake is refused, so every call fails), one that
/// expires within <see cref="ExpiryWarning"/> as a warning.
/// </summary>
public static class CertificateCheck
{
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    public static PreflightResult Judge(string backend, BackendCertificates found, DateTimeOffset now)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        foreach (var certificate in found.Certificates)
        {
            var named = $"{Capitalized(certificate.Role)} ({certificate.Subject})";
            if (now < certificate.NotBefore)
            {
                errors.Add($"{named} is not valid before {Day(certificate.NotBefore)}");
            }
            else if (now > certificate.NotAfter)
            {
                errors.Add($"{named} expired on {Day(certificate.NotAfter)}");
            }
            else if (certificate.NotAfter - now < ExpiryWarning)
            {
                warnings.Add($"{named} expires on {Day(certificate.NotAfter)}, in {Humane.Duration(certificate.NotAfter - now)}");
            }
        }

        var result = new PreflightResult { CheckValue = PreflightCheck.Certificates, Backend = backend, SeverityValue = errors.Count > 0 ? PreflightSeverity.Error : PreflightSeverity.Warning };
        var unasked = found.Unreachable is null ? "" : $" The rest could not be asked: {found.Unreachable.TrimEnd('.')}.";
        if (errors.Count > 0 || warnings.Count > 0)
        {
            return result with
            {
                Detail = string.Join("; ", errors.Concat(warnings)) + "." + unasked,
                Advice = errors.Count > 0
                    ? "Issue a new certificate, pin its thumbprint beside the old one (the agents' PinnedClients or PinnedPartners, the backend's ServerCertificateThumbprint), restart the agent, then remove the old one (docs/agents.md). Every call made with an expired certificate is refused."
                    : $"Renew it before it expires (docs/agents.md: pin the new thumbprint beside the old one, restart, remove the old one); calls are refused from the day it expires.",
            };
        }

        if (found.Unreachable is not null)
        {
            return result with
            {
                Detail = (found.Certificates.Count == 0 ? "No certificate could be checked." : $"{Valid(found.Certificates, now)}.") + unasked,
                Advice = "Make the agent reachable (see FolderReachable), then check again.",
            };
        }

        return result with { Passed = true, Detail = $"{Valid(found.Certificates, now)}; none expires within {Humane.Duration(ExpiryWarning)}." };
    }

    private static string Valid(IReadOnlyList<CertificateValidity> certificates, DateTimeOffset now) =>
        Capitalized(string.Join("; ", certificates.Select(c => $"{c.Role} ({c.Subject}) is valid until {Day(c.NotAfter)}")));

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
}
