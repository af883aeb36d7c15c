using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Replication.Agent.Metrics;

/// <summary>
/// The agent's metrics served by OpenTelemetry's Prometheus exporter at <c>/metrics</c> on a plain HTTP port of their own
/// (<see cref="MetricsOptions"/>). That port serves nothing else, and the metrics are not served on the gRPC port.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static void AddServices(IServiceCollection services, MetricsOptions options)
    {
        services.AddSingleton<AgentMetrics>();
        if (options.Listen is not null)
        {
            // Every scrape reads the counters as they are (the exporter would otherwise answer from a cache).
            services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(AgentMetrics.MeterName).AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0));
        }
    }

    public static void Listen(KestrelServerOptions kestrel, MetricsOptions options)
    {
        if (options.Listen is { } endpoint)
        {
            kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http1);
        }
    }

    public static void Map(WebApplication app, MetricsOptions options)
    {
        if (options.Listen is not { } endpoint)
        {
            return;
        }

        bool OnMetricsPort(HttpContext context) => context.Connection.LocalPort == endpoint.Port;
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => OnMetricsPort(context) && context.Request.Path == Path);
        // Anything else asked on the metrics port goes no further.
        app.UseWhen(OnMetricsPort, port => port.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return System.Threading.Tasks.Task.CompletedTask;
        }));
    }
}
