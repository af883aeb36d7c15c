using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Replication.Drivers.Agent;

/// <summary>
/// The client certificate a backend presents to its agent, read from the files its settings name. A file holding a key
/// (the PKCS#12 file, or the PEM key) must be a regular file only its owner can read (0600 or 0400), never a link.
/// </summary>
internal static class ClientCertificates
{
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static X509Certificate2 Load(AgentSettings settings, Func<string?> password)
    {
        try
        {
            if (settings.ClientKey is { } key)
            {
                RequirePrivate(key);
                using var pem = X509Certificate2.CreateFromPemFile(settings.ClientCertificate, key);
                // Through PKCS#12 so that TLS on every platform can use the key.
                return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }

            RequirePrivate(settings.ClientCertificate);
            return X509CertificateLoader.LoadPkcs12FromFile(settings.ClientCertificate, password());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new StorageDriverException(DriverErrorIds.InvalidSetting, $"The client certificate '{settings.ClientCertificate}' cannot be read: {ex.Message}", ex);
        }
    }

    private static void RequirePrivate(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new StorageDriverException(DriverErrorIds.InvalidSetting, $"The key file '{path}' is not there.");
        }

        if (file.LinkTarget is not null)
        {
            throw new StorageDriverException(DriverErrorIds.StorageRefused, $"The key file '{path}' is a link; the driver does not follow links to keys. Name the file itself.");
        }

        if (!OperatingSystem.IsWindows() && (file.UnixFileMode & GroupOrOthers) != 0)
        {
            throw new StorageDriverException(DriverErrorIds.StorageRefused, $"The key file '{path}' can be read by others (mode {Convert.ToString((int)file.UnixFileMode, 8)}); make it 0600.");
        }
    }
}
