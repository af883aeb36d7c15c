using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Replication.Agent.Protocol;

namespace Replication.Drivers.Agent;

/// <summary>
/// An Agent backend's settings: the agent's address, the client certificate this host presents (a PKCS#12 file, or a PEM
/// certificate with its key), the password of a PKCS#12 file as a secret reference, and the SHA-256 thumbprint of the
/// agent's certificate, pinned. ReplicationAddress is where the partner agent reaches this one, when that differs.
/// ReplicationBandwidthMbps caps the rounds sent to or from this backend's agent (megabits a second of block payload); a
/// partnership runs at the lower cap of its two backends.
/// </summary>
internal sealed class AgentSettings
{
    public const string AddressKey = "Address";
    public const string ReplicationAddressKey = "ReplicationAddress";
    public const string ClientCertificateKey = "ClientCertificate";
    public const string ClientKeyKey = "ClientKey";
    public const string ClientCertificatePasswordKey = "ClientCertificatePassword";
    public const string ServerThumbprintKey = "ServerCertificateThumbprint";
    public const string BandwidthKey = "ReplicationBandwidthMbps";

    public static readonly string[] Keys = { AddressKey, ReplicationAddressKey, ClientCertificateKey, ClientKeyKey, ClientCertificatePasswordKey, ServerThumbprintKey, BandwidthKey };

    private AgentSettings(Uri address, Uri replicationAddress, string clientCertificate, string? clientKey, string serverThumbprint, double? bandwidthMbps)
    {
        BandwidthMbps = bandwidthMbps;
        Address = address;
        ReplicationAddress = replicationAddress;
        ClientCertificate = clientCertificate;
        ClientKey = clientKey;
        ServerThumbprint = serverThumbprint;
    }

    public Uri Address { get; }

    public Uri ReplicationAddress { get; }

    public string ClientCertificate { get; }

    public string? ClientKey { get; }

    public string ServerThumbprint { get; }

    /// <summary>The cap on rounds this backend's agent takes part in, in megabits a second; null: none.</summary>
    public double? BandwidthMbps { get; }

    /// <summary>The partnership's limit in bytes a second of payload: the lower of the two caps; 0 when neither has one.</summary>
    public static long BandwidthBytesPerSecond(AgentSettings one, AgentSettings other)
    {
        var caps = new[] { one.BandwidthMbps, other.BandwidthMbps }.Where(c => c is not null).Select(c => c!.Value).ToArray();
        return caps.Length == 0 ? 0 : Math.Max(1, (long)(caps.Min() * 1_000_000 / 8));
    }

    /// <summary>True when the settings are an Agent backend's (a backend of another driver has no Address and thumbprint).</summary>
    public static bool AreAgents(IReadOnlyDictionary<string, string> settings) =>
        Find(settings, AddressKey) is not null && Find(settings, ServerThumbprintKey) is not null;

    /// <summary>Checks what the admin gave and returns every setting in its stored form, or refuses with InvalidSetting.</summary>
    public static IReadOnlyDictionary<string, string> Validate(IReadOnlyDictionary<string, string> given)
    {
        foreach (var unknown in given.Keys.Where(k => !Keys.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            throw Invalid($"'{unknown}' is not a setting of the Agent driver; it has {string.Join(", ", Keys)}.");
        }

        var settings = Of(given);
        var stored = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [AddressKey] = settings.Address.ToString(),
            [ReplicationAddressKey] = settings.ReplicationAddress.ToString(),
            [ClientCertificateKey] = settings.ClientCertificate,
            [ServerThumbprintKey] = settings.ServerThumbprint,
        };
        if (settings.ClientKey is { } key)
        {
            stored[ClientKeyKey] = key;
        }

        if (Find(given, ClientCertificatePasswordKey) is { } password)
        {
            stored[ClientCertificatePasswordKey] = password;
        }

        if (settings.BandwidthMbps is { } mbps)
        {
            stored[BandwidthKey] = mbps.ToString("R", CultureInfo.InvariantCulture);
        }

        return stored;
    }

    public static AgentSettings Of(IReadOnlyDictionary<string, string> settings)
    {
        var address = AddressOf(settings, AddressKey) ?? throw Invalid($"An Agent backend needs {AddressKey}, the agent's https://host:port.");
        var replicationAddress = AddressOf(settings, ReplicationAddressKey) ?? address;
        var certificate = Find(settings, ClientCertificateKey) is { } path ? FilePath(path, ClientCertificateKey)
            : throw Invalid($"An Agent backend needs {ClientCertificateKey}, the path of the client certificate this host presents (.pfx, or .pem with {ClientKeyKey}).");
        var key = Find(settings, ClientKeyKey) is { } keyPath ? FilePath(keyPath, ClientKeyKey) : null;
        if (key is null && !certificate.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) && !certificate.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid($"{ClientCertificateKey} '{certificate}' is not a .pfx or .p12 file, so {ClientKeyKey} must name its PEM key.");
        }

        var thumbprint = PinnedChannel.NormalizeThumbprint(Find(settings, ServerThumbprintKey) ?? "");
        if (thumbprint.Length != 64 || !thumbprint.All(Uri.IsHexDigit))
        {
            throw Invalid($"{ServerThumbprintKey} must be the SHA-256 thumbprint of the agent's certificate (64 hex digits; openssl x509 -noout -fingerprint -sha256 prints it).");
        }

        return new AgentSettings(address, replicationAddress, certificate, key, thumbprint, BandwidthOf(settings));
    }

    private static double? BandwidthOf(IReadOnlyDictionary<string, string> settings) =>
        Find(settings, BandwidthKey) is not { } text ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var mbps) && mbps > 0 && double.IsFinite(mbps) ? mbps
        : throw Invalid($"{BandwidthKey} '{text}' must be a positive number of megabits a second (e.g. 50 or 0.5).");

    private static Uri? AddressOf(IReadOnlyDictionary<string, string> settings, string key)
    {
        if (Find(settings, key) is not { } text)
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query) && uri.UserInfo.Length == 0
            ? uri
            : throw Invalid($"{key} '{text}' must be an agent's address as https://host:port.");
    }

    private static string FilePath(string path, string key) =>
        Path.IsPathRooted(path) && !path.Any(char.IsControl) ? Path.GetFullPath(path) : throw Invalid($"{key} '{path}' must be an absolute file path.");

    private static string? Find(IReadOnlyDictionary<string, string> settings, string key)
    {
        var value = settings.FirstOrDefault(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private static StorageDriverException Invalid(string message) => new(DriverErrorIds.InvalidSetting, message);
}
