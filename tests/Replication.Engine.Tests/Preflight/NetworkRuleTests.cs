using System;
using Replication.Drivers;
using Replication.Engine.Preflight;

namespace Replication.Engine.Tests.Preflight;

/// <summary>
/// The engine's rules over what a driver that replicates site to site measured (IPartnershipDiagnostics): certificates
/// expired, not yet valid or soon to expire; a partner that cannot be reached; clocks apart by more than the tolerance,
/// counted only beyond half a round trip; the initial sync estimate from the measured rate.
/// </summary>
public sealed class NetworkRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 8, 12, 0, 0, TimeSpan.Zero);

    private static CertificateValidity Certificate(string role, int notBeforeDays, int notAfterDays) =>
        new(role, "CN=" + role, "AB", Now.AddDays(notBeforeDays), Now.AddDays(notAfterDays));

    [Fact]
    public void Certificates_valid_for_longer_than_the_warning_pass()
    {
        var result = CertificateCheck.Judge("dc1", new BackendCertificates(new[] { Certificate("client", -1, 365), Certificate("agent", -1, 31) }, null), Now);

        Assert.True(result.Passed);
        Assert.Equal("Certificates", result.Check);
        Assert.Equal("", result.Advice);
        Assert.Contains("valid until 2027-01-08", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_expiring_within_30_days_is_a_warning_that_says_when()
    {
        var result = CertificateCheck.Judge("dc1", new BackendCertificates(new[] { Certificate("client", -1, 365), Certificate("agent", -1, 29) }, null), Now);

        Assert.False(result.Passed);
        Assert.Equal("Warning", result.Severity);
        Assert.Contains("Agent (CN=agent) expires on 2027-01-06, in 29d 00h", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("client", result.Detail, StringComparison.Ordinal);
        Assert.Contains("Renew", result.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_or_not_yet_valid_certificate_is_an_error()
    {
        var expired = CertificateCheck.Judge("dc1", new BackendCertificates(new[] { Certificate("client", -30, -1), Certificate("agent", -1, 10) }, null), Now);
        var early = CertificateCheck.Judge("dc1", new BackendCertificates(new[] { Certificate("client", 2, 300) }, null), Now);

        Assert.False(expired.Passed);
        Assert.Equal("Error", expired.Severity);
        Assert.Contains("Client (CN=client) expired on 2026-12-07", expired.Detail, StringComparison.Ordinal);
        Assert.Contains("expires on 2026-12-18", expired.Detail, StringComparison.Ordinal);
        Assert.False(early.Passed);
        Assert.Equal("Error", early.Severity);
        Assert.Contains("is not valid before 2026-12-10", early.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificates_that_could_not_all_be_asked_do_not_pass_but_say_what_was_checked()
    {
        var result = CertificateCheck.Judge("dc1", new BackendCertificates(new[] { Certificate("this host's client certificate", -1, 365) }, "The storage agent at https://x:7443/ cannot be reached."), Now);

        Assert.False(result.Passed);
        Assert.Equal("Warning", result.Severity);
        Assert.Contains("This host's client certificate (CN=this host's client certificate) is valid until 2027-12-08.", result.Detail, StringComparison.Ordinal);
        Assert.Contains("The rest could not be asked: The storage agent at https://x:7443/ cannot be reached.", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_partner_that_cannot_be_reached_fails_the_link_as_an_error()
    {
        var result = LinkChecks.Reachable("dc1", "dc2", LinkMeasurement.Failed("https://a:7443/", "https://b:7443/", "Connection refused."));

        Assert.False(result.Passed);
        Assert.Equal("Error", result.Severity);
        Assert.Equal("'dc1' at https://a:7443/ cannot reach 'dc2' at https://b:7443/: Connection refused.", result.Detail);
        Assert.Contains("PinnedPartners", result.Advice, StringComparison.Ordinal);
        Assert.Null(LinkChecks.BytesPerSecond(LinkMeasurement.Failed("a", "b", "x")));
    }

    [Fact]
    public void A_reached_partner_passes_with_the_round_trip_and_the_measured_rate()
    {
        var link = new LinkMeasurement("a", "b", TimeSpan.FromMilliseconds(1.25), 12_500_000, TimeSpan.FromSeconds(2), TimeSpan.Zero);

        var result = LinkChecks.Reachable("dc1", "dc2", link);

        Assert.True(result.Passed);
        Assert.Equal(6_250_000, LinkChecks.BytesPerSecond(link));
        Assert.Equal("'dc1' at a reached 'dc2' at b: round trip 1.25 ms; 11.9 MiB arrived in 2 s: 50 Mbit/s.", result.Detail);
    }

    [Fact]
    public void A_transfer_too_short_to_time_gives_no_rate()
    {
        var link = new LinkMeasurement("a", "b", TimeSpan.FromMilliseconds(1), 0, TimeSpan.Zero, TimeSpan.Zero);

        Assert.Null(LinkChecks.BytesPerSecond(link));
        Assert.Contains("too short to time", LinkChecks.Reachable("dc1", "dc2", link).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Clocks_apart_by_more_than_the_tolerance_beyond_half_a_round_trip_warn()
    {
        var tolerance = TimeSpan.FromSeconds(2);
        var close = LinkChecks.Clock("dc1", "dc2", new LinkMeasurement("a", "b", TimeSpan.FromMilliseconds(2), 1, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(-1500)), tolerance);
        // 2.5 s apart, but the reading is uncertain by 1 s (a 2 s round trip): within the tolerance.
        var uncertain = LinkChecks.Clock("dc1", "dc2", new LinkMeasurement("a", "b", TimeSpan.FromSeconds(2), 1, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(2500)), tolerance);
        var apart = LinkChecks.Clock("dc1", "dc2", new LinkMeasurement("a", "b", TimeSpan.FromMilliseconds(2), 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)), tolerance);

        Assert.True(close.Passed);
        Assert.Contains("1500 ms behind", close.Detail, StringComparison.Ordinal);
        Assert.True(uncertain.Passed);
        Assert.False(apart.Passed);
        Assert.Equal("Warning", apart.Severity);
        Assert.Contains("The clock at 'dc2' is 5000 ms ahead of the clock at 'dc1'", apart.Detail, StringComparison.Ordinal);
        Assert.Contains("NTP", apart.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public void The_initial_sync_estimate_is_the_allocated_data_over_the_measured_rate()
    {
        var estimate = LinkChecks.InitialSync("dc1", "dc2", 3, 3L << 30, 6_250_000);
        var none = LinkChecks.InitialSync("dc1", "dc2", 0, 0, 6_250_000);

        Assert.True(estimate.Passed);
        Assert.Equal("Information", estimate.Severity);
        // 3 GiB at 50 Mbit/s: 515 s (171.8 s per GiB).
        Assert.Equal("The 3 volume(s) of 'dc1' replicated to 'dc2' hold 3 GiB of data; at the measured 50 Mbit/s an initial sync takes about 8m 35s (2m 51s per GiB).", estimate.Detail);
        Assert.Contains("has no volume replicated to 'dc2' yet", none.Detail, StringComparison.Ordinal);
        Assert.Contains("2m 51s to sync the first time", none.Detail, StringComparison.Ordinal);
    }
}
