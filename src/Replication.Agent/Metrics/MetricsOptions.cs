using System;
using System.IO;
using System.Net;
using System.Text.Json;

namespace Replication.Agent.Metrics;

/// <summary>
/// Where the agent serves its metrics, from the "Metrics" section of its configuration file:
/// <c>"Metrics": { "Listen": "127.0.0.1:9464" }</c>. A port alone listens on loopback; without the section no metrics
/// port is opened. It is plain HTTP (what Prometheus scrapes), apart from the gRPC port and its mutual TLS.
/// </summary>
public sealed class MetricsOptions
{
    private MetricsOptions(IPEndPoint? listen) => Listen = listen;

    /// <summary>The address and port of the metrics endpoint; null when the agent serves none.</summary>
    public IPEndPoint? Listen { get; }

    public static MetricsOptions Load(string configPath, AgentOptions agent)
    {
        string? listen;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(configPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            listen = Section(document.RootElement, "Metrics") is { } metrics && Section(metrics, "Listen") is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new AgentConfigurationException(ex.Message);
        }

        if (listen is null)
        {
            return new MetricsOptions(null);
        }

        var endpoint = int.TryParse(listen, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? new IPEndPoint(IPAddress.Loopback, port)
            : IPEndPoint.TryParse(listen, out var parsed) && parsed.Port != 0 ? parsed : null;
        if (endpoint is null)
        {
            throw new AgentConfigurationException($"'Metrics.Listen' must be a port or an address and port (e.g. 127.0.0.1:9464), not '{listen}'.");
        }

        if (endpoint.Port == agent.Listen.Port)
        {
            throw new AgentConfigurationException($"'Metrics.Listen' must use another port than 'Listen' ({agent.Listen.Port}): metrics are plain HTTP, the agent's calls mutual TLS.");
        }

        return new MetricsOptions(endpoint);
    }

    // Property names as the rest of the file: case does not matter.
    private static JsonElement? Section(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in parent.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
