using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Replication.Agent.Protocol;

namespace Replication.Agent;

/// <summary>
/// The agent's configuration file (JSON): where it listens, the storage folder it owns, its certificate and key (PEM),
/// the CA a client certificate must chain to, and the SHA-256 thumbprints of whom it serves: the controllers (every
/// call) and the partner agents of its partnership (sending rounds to it, and receiving its). Everything is checked
/// when it is loaded: a configuration others can write, or a key others can read, is refused.
/// </summary>
public sealed class AgentOptions
{
    private AgentOptions(IPEndPoint listen, string storageFolder, X509Certificate2 certificate, X509Certificate2 trustedCa, IReadOnlySet<string> pinnedClients, IReadOnlySet<string> pinnedPartners)
    {
        Listen = listen;
        StorageFolder = storageFolder;
        Certificate = certificate;
        TrustedCa = trustedCa;
        PinnedClients = pinnedClients;
        PinnedPartners = pinnedPartners;
    }

    /// <summary>The address and port Kestrel listens on.</summary>
    public IPEndPoint Listen { get; }

    /// <summary>The absolute path of the backend folder the agent owns (LocalFile's layout).</summary>
    public string StorageFolder { get; }

    /// <summary>The agent's own certificate with its key: its server certificate, and its client certificate towards a partner agent.</summary>
    public X509Certificate2 Certificate { get; }

    public X509Certificate2 TrustedCa { get; }

    /// <summary>SHA-256 thumbprints (upper-case hex) of the controllers' certificates: served every call.</summary>
    public IReadOnlySet<string> PinnedClients { get; }

    /// <summary>SHA-256 thumbprints of the partner agents' certificates: they may only send rounds here, and are sent rounds to.</summary>
    public IReadOnlySet<string> PinnedPartners { get; }

    public static string? ConfigPathFrom(string[] args)
    {
        var index = Array.FindIndex(args, a => a is "--config" or "-c");
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static AgentOptions Load(string path)
    {
        ConfigFileTrust.Require(path);
        ConfigFile file;
        try
        {
            file = JsonSerializer.Deserialize<ConfigFile>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip })
                ?? throw new AgentConfigurationException("the file is empty.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new AgentConfigurationException(ex.Message);
        }

        var baseFolder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Full(string? value, string name) => string.IsNullOrWhiteSpace(value)
            ? throw new AgentConfigurationException($"'{name}' is missing.")
            : Path.GetFullPath(value, baseFolder);

        if (!IPEndPoint.TryParse(file.Listen ?? "", out var listen) || listen.Port == 0)
        {
            throw new AgentConfigurationException($"'Listen' must be an address and port (e.g. 0.0.0.0:7443), not '{file.Listen}'.");
        }

        var keyPath = Full(file.CertificateKey, "CertificateKey");
        KeyFile.RequirePrivate(keyPath);
        X509Certificate2 certificate;
        X509Certificate2 ca;
        try
        {
            // Through PKCS#12 so that TLS on every platform can use the key.
            using var pem = X509Certificate2.CreateFromPemFile(Full(file.Certificate, "Certificate"), keyPath);
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            ca = X509CertificateLoader.LoadCertificateFromFile(Full(file.TrustedCa, "TrustedCa"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new AgentConfigurationException($"a certificate or key cannot be read: {ex.Message}");
        }

        var pinned = (file.PinnedClients ?? new List<string>()).Select(PinnedChannel.NormalizeThumbprint).ToHashSet(StringComparer.Ordinal);
        if (pinned.Count == 0)
        {
            throw new AgentConfigurationException("'PinnedClients' is empty: the agent would serve nobody. Pin the SHA-256 thumbprints of the controllers' certificates.");
        }

        var partners = (file.PinnedPartners ?? new List<string>()).Select(PinnedChannel.NormalizeThumbprint).ToHashSet(StringComparer.Ordinal);
        return new AgentOptions(listen, Full(file.StorageFolder, "StorageFolder"), certificate, ca, pinned, partners);
    }

    private sealed class ConfigFile
    {
        public string? Listen { get; set; }

        public string? StorageFolder { get; set; }

        public string? Certificate { get; set; }

        public string? CertificateKey { get; set; }

        public string? TrustedCa { get; set; }

        public List<string>? PinnedClients { get; set; }

        public List<string>? PinnedPartners { get; set; }
    }
}

public sealed class AgentConfigurationException : Exception
{
    public AgentConfigurationException(string message)
        : base(message)
    {
    }
}
