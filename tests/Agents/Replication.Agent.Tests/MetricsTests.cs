using System;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.RegularExpressions;
using Replication.Drivers;

namespace Replication.Agent.Tests;

/// <summary>
/// Each agent's Prometheus metrics, scraped from its plain HTTP port after real rounds between two agents on loopback:
/// the bytes the sender sent and the receiver staged match the rounds' own count, rounds are timed, the replica's lag is
/// shown once a round is applied, refused calls are counted; the metrics port serves nothing else.
/// </summary>
public sealed class MetricsTests : IClassFixture<AgentLab>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly AgentLab _lab;
    private readonly BackendConfiguration _a;
    private readonly BackendConfiguration _b;

    public MetricsTests(AgentLab lab)
    {
        _lab = lab;
        _a = lab.Backend("metrics-a", lab.A);
        _b = lab.Backend("metrics-b", lab.B);
        lab.Driver.PrepareBackend(_a);
        lab.Driver.PrepareBackend(_b);
    }

    [Fact]
    public void The_bytes_of_rounds_sent_and_received_match_the_rounds_and_the_replica_shows_its_lag()
    {
        var location = _lab.Driver.LocationFor(Guid.NewGuid());
        _lab.Driver.CreateCopy(_a, location, 8L << 20);
        using (var device = _lab.Driver.Open(_a, location, DeviceAccess.ReadWrite))
        {
            var data = new byte[3 << 20];
            new Random(5).NextBytes(data);
            device.Write(1 << 20, data, 0, data.Length);
            device.Flush();
        }

        var sentBefore = Value(Scrape(_lab.A), "replication_agent_sent_bytes_total", "metrics-a") ?? 0;
        var receivedBefore = Value(Scrape(_lab.B), "replication_agent_received_bytes_total", "metrics-b") ?? 0;
        var first = _lab.Driver.Replicate(new NativeRoundRequest(_a, location, _b, location, 1, full: true));
        _lab.Driver.ApplyStaged(_b, location, 1);
        using (var device = _lab.Driver.Open(_a, location, DeviceAccess.ReadWrite))
        {
            device.Write(5 << 20, new byte[] { 1, 2, 3 }, 0, 3);
            device.Flush();
        }

        var second = _lab.Driver.Replicate(new NativeRoundRequest(_a, location, _b, location, 2, full: false));
        _lab.Driver.ApplyStaged(_b, location, 2);

        var sender = Scrape(_lab.A);
        var receiver = Scrape(_lab.B);
        // The first round sends the 3 MiB written, the second the one 64 KiB block (the agents' AgentLimits.ReplicationBlockBytes) its 3 bytes changed.
        Assert.Equal((3L << 20) + (64 << 10), first.BytesSent + second.BytesSent);
        Assert.Equal(first.BytesSent + second.BytesSent, Value(sender, "replication_agent_sent_bytes_total", "metrics-a") - sentBefore);
        Assert.Equal(first.BytesSent + second.BytesSent, Value(receiver, "replication_agent_received_bytes_total", "metrics-b") - receivedBefore);
        Assert.True(Value(sender, "replication_agent_round_duration_seconds_count", "side=\"send\"") >= 2);
        Assert.True(Value(receiver, "replication_agent_round_duration_seconds_count", "side=\"apply\"") >= 2);
        // The lag counts from the second round's point in time: moments ago.
        var lag = Value(receiver, "replication_agent_replication_lag_seconds", location);
        Assert.NotNull(lag);
        Assert.InRange(lag!.Value, 0, (DateTimeOffset.UtcNow - second.PointInTime).TotalSeconds + 1);
        Assert.Null(Value(sender, "replication_agent_replication_lag_seconds", location));
    }

    [Fact]
    public void Failed_calls_are_counted_by_method_and_status()
    {
        var before = Value(Scrape(_lab.A), "replication_agent_errors_total", "method=\"OpenDevice\"") ?? 0;

        // A copy that is not there.
        Assert.ThrowsAny<Exception>(() => _lab.Driver.Open(_a, _lab.Driver.LocationFor(Guid.NewGuid()), DeviceAccess.Read));

        Assert.Equal(before + 1, Value(Scrape(_lab.A), "replication_agent_errors_total", "method=\"OpenDevice\""));
    }

    [Fact]
    public async System.Threading.Tasks.Task The_metrics_port_serves_only_the_metrics_in_plain_HTTP()
    {
        using var other = await Http.GetAsync($"http://127.0.0.1:{_lab.A.MetricsPort}/replication.agent.v1.StorageAgent/ListCopies");
        using var metrics = await Http.GetAsync($"http://127.0.0.1:{_lab.A.MetricsPort}/metrics");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, metrics.StatusCode);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    private static string Scrape(AgentProcess agent) => Http.GetStringAsync($"http://127.0.0.1:{agent.MetricsPort}/metrics").GetAwaiter().GetResult();

    /// <summary>The value of the first sample of <paramref name="metric"/> whose labels contain <paramref name="label"/>; null when there is none.</summary>
    private static double? Value(string scrape, string metric, string label)
    {
        var line = scrape.Split('\n').FirstOrDefault(l => Regex.IsMatch(l, "^" + Regex.Escape(metric) + "[{ ]") && l.Contains(label, StringComparison.Ordinal));
        return line is null ? null : double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }
}
