using System;
using System.Linq;
using Replication.Drivers;

namespace Replication.Agent.Tests;

/// <summary>
/// What the Agent driver measures for Test-ReplicationPartnership, on two real agents on loopback: the certificates in
/// use (this host's, the agent's, the CA it trusts), and the link from one agent to its partner (round trip, a bounded
/// transfer, the partner's clock); a partner the agent does not pin, or one that is down, is reported, not thrown.
/// </summary>
public sealed class PartnershipDiagnosticsTests : IClassFixture<AgentLab>
{
    private readonly AgentLab _lab;
    private readonly BackendConfiguration _a;
    private readonly BackendConfiguration _b;

    public PartnershipDiagnosticsTests(AgentLab lab)
    {
        _lab = lab;
        _a = lab.Backend("site-a", lab.A);
        _b = lab.Backend("site-b", lab.B);
    }

    [Fact]
    public void The_certificates_are_this_hosts_the_agents_and_its_cas_with_their_validity()
    {
        var found = _lab.Driver.Certificates(_a);

        Assert.Null(found.Unreachable);
        Assert.Equal(new[] { _lab.Controller.Thumbprint, _lab.ACertificate.Thumbprint }, found.Certificates.Take(2).Select(c => c.Thumbprint));
        Assert.Equal("CN=Lab CA", found.Certificates[2].Subject);
        Assert.Contains(_lab.A.Address, found.Certificates[1].Role, StringComparison.Ordinal);
        // The lab issues certificates for 30 days from yesterday.
        Assert.InRange(found.Certificates[1].NotAfter - DateTimeOffset.UtcNow, TimeSpan.FromDays(29), TimeSpan.FromDays(30));
        Assert.InRange(DateTimeOffset.UtcNow - found.Certificates[1].NotBefore, TimeSpan.FromHours(23), TimeSpan.FromHours(25));
    }

    [Fact]
    public void An_agent_that_cannot_be_reached_still_gives_this_hosts_certificate()
    {
        var settings = AgentLab.SettingsFor(_lab.A, _lab.Controller);
        settings["Address"] = "https://127.0.0.1:1/";
        var found = _lab.Driver.Certificates(new BackendConfiguration("down", _lab.Driver.ValidateSettings(settings), _lab.StoreId));

        Assert.Equal(_lab.Controller.Thumbprint, Assert.Single(found.Certificates).Thumbprint);
        Assert.Contains("cannot be reached", found.Unreachable, StringComparison.Ordinal);
    }

    [Fact]
    public void The_link_to_the_partner_is_measured_within_its_bounds()
    {
        var link = _lab.Driver.MeasureLink(_a, _b, 4L << 20, TimeSpan.FromSeconds(2));

        Assert.Null(link.Unreachable);
        Assert.Equal(_lab.B.Address, link.To);
        Assert.InRange(link.RoundTrip, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(1));
        // 4 MiB in 64 KiB chunks; the partner times all but the first.
        Assert.Equal((4L << 20) - (64 << 10), link.Bytes);
        Assert.True(link.TransferTime > TimeSpan.Zero);
        // Both agents read this machine's clock.
        Assert.InRange(link.ClockOffset, -link.RoundTrip - TimeSpan.FromMilliseconds(50), link.RoundTrip + TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void A_partner_that_is_down_or_not_pinned_is_reported_unreachable()
    {
        var settings = AgentLab.SettingsFor(_lab.B, _lab.Controller);
        settings["ReplicationAddress"] = "https://127.0.0.1:1/";
        var down = _lab.Driver.MeasureLink(_a, new BackendConfiguration("down", _lab.Driver.ValidateSettings(settings), _lab.StoreId), 1 << 20, TimeSpan.FromSeconds(1));
        var stranger = _lab.Driver.MeasureLink(_a, _a, 1 << 20, TimeSpan.FromSeconds(1));

        Assert.Contains("cannot be reached from this agent", down.Unreachable, StringComparison.Ordinal);
        Assert.Contains("is not pinned by this agent", stranger.Unreachable, StringComparison.Ordinal);
    }
}
