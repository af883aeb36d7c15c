using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Replication.Drivers;

namespace Samples.ChunkFolder;

/// <summary>
/// The optional AccessKey setting, a secret: a backend given one locks its folder with it (the folder's access-key marker
/// holds a salted SHA-256 of the key, never the key), and copies in a locked folder open only for a backend whose key
/// matches. The key is read through <see cref="BackendConfiguration.ResolveSecret"/> each time it is needed and kept
/// nowhere.
/// </summary>
internal static class AccessKey
{
    public const string Setting = "AccessKey";

    /// <summary>Locks an unlocked folder with the backend's key, if it has one; a locked folder must take the backend's key.</summary>
    public static void Lock(BackendConfiguration backend, ChunkFolderLayout layout)
    {
        var marker = MarkerOf(layout);
        if (!File.Exists(marker) && backend.ResolveSecret(Setting) is { } key)
        {
            var salt = new byte[16];
            using (var random = RandomNumberGenerator.Create())
            {
                random.GetBytes(salt);
            }

            PrivateFiles.WriteAtomically(layout.Staging, marker, Encoding.ASCII.GetBytes(Hex(salt) + ":" + Hex(Hash(salt, key))));
            return;
        }

        Check(backend, layout);
    }

    /// <summary>Refuses (StorageRefused) a backend whose key does not open its locked folder; an unlocked folder needs none.</summary>
    public static void Check(BackendConfiguration backend, ChunkFolderLayout layout)
    {
        if (PrivateFiles.ReadOrNull(MarkerOf(layout)) is not { } marker)
        {
            return;
        }

        var parts = Encoding.ASCII.GetString(marker).Trim().Split(':');
        var key = backend.ResolveSecret(Setting)
            ?? throw new StorageDriverException(DriverErrorIds.StorageRefused, $"The folder '{layout.Root}' is locked with an access key, and backend '{backend.Name}' has no {Setting} setting.");
        if (parts.Length != 2 || !FixedTimeEquals(Hex(Hash(FromHex(parts[0]), key)), parts[1]))
        {
            throw new StorageDriverException(DriverErrorIds.StorageRefused, $"The {Setting} of backend '{backend.Name}' does not open the folder '{layout.Root}': it is locked with another key.");
        }
    }

    /// <summary>Removes the lock of a folder being abandoned (one PrepareBackend made and left empty).</summary>
    public static void Unlock(ChunkFolderLayout layout) => File.Delete(MarkerOf(layout));

    private static string MarkerOf(ChunkFolderLayout layout) => Path.Combine(layout.Root, "access-key");

    private static byte[] Hash(byte[] salt, string key)
    {
        using var sha = SHA256.Create();
        return sha.ComputeHash(salt.Concat(Encoding.UTF8.GetBytes(key)).ToArray());
    }

    private static string Hex(byte[] bytes) => string.Concat(bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    private static byte[] FromHex(string hex) =>
        Enumerable.Range(0, hex.Length / 2).Select(i => Convert.ToByte(hex.Substring(i * 2, 2), 16)).ToArray();

    private static bool FixedTimeEquals(string a, string b) =>
        a.Length == b.Length && a.Zip(b, (x, y) => x ^ y).Aggregate(0, (all, difference) => all | difference) == 0;
}
