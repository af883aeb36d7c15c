using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Replication.Drivers;

namespace Samples.ChunkFolder;

/// <summary>
/// Where a backend keeps things, from its validated settings:
/// <code>
/// Folder/copies/copy-{id}/size, generation, fenced (when fenced), chunk-{index} (absent chunk = zeros)
/// Folder/sidecars/{name}     the engine's sidecars, never listed as copies
/// Folder/staging/            files written aside before they are renamed into place
/// Folder/access-key          when the backend has an AccessKey: salt:SHA-256(salt + key), never the key
/// </code>
/// </summary>
internal sealed class ChunkFolderLayout
{
    public const string FolderSetting = "Folder";
    public const string ChunkSizeSetting = "ChunkSize";
    public const long DefaultChunkSize = 1 << 20;

    private static readonly Regex LocationPattern = new("^copy-[0-9a-f]{32}$", RegexOptions.CultureInvariant);

    public ChunkFolderLayout(BackendConfiguration backend)
    {
        Root = backend.Settings[FolderSetting];
        ChunkSize = long.Parse(backend.Settings[ChunkSizeSetting], System.Globalization.CultureInfo.InvariantCulture);
    }

    public string Root { get; }

    public long ChunkSize { get; }

    public string Copies => Path.Combine(Root, "copies");

    public string Sidecars => Path.Combine(Root, "sidecars");

    public string Staging => Path.Combine(Root, "staging");

    public static string LocationFor(Guid copyId) => "copy-" + copyId.ToString("N");

    /// <summary>The copy's folder; a location this driver did not make is refused, so no location reaches outside the backend.</summary>
    public string CopyFolder(string location)
    {
        if (location is null || !LocationPattern.IsMatch(location))
        {
            throw new StorageDriverException(DriverErrorIds.StorageRefused, $"'{location}' is not a location of the ChunkFolder driver.");
        }

        return Path.Combine(Copies, location);
    }

    public IEnumerable<string> ListCopyLocations() =>
        Directory.Exists(Copies)
            ? Directory.EnumerateDirectories(Copies).Select(Path.GetFileName).Where(name => LocationPattern.IsMatch(name) && File.Exists(Path.Combine(Copies, name, "size")))
            : Enumerable.Empty<string>();

    /// <summary>Checks the settings an admin gives and returns them complete: the folder made absolute, the chunk size filled in.</summary>
    public static IReadOnlyDictionary<string, string> Validate(IReadOnlyDictionary<string, string> settings)
    {
        var known = new[] { FolderSetting, ChunkSizeSetting, AccessKey.Setting };
        var unknown = settings.Keys.FirstOrDefault(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase));
        if (unknown is not null)
        {
            throw Invalid($"The ChunkFolder driver has no setting '{unknown}'; it takes {FolderSetting}, {ChunkSizeSetting} and {AccessKey.Setting}.");
        }

        var folder = Find(settings, FolderSetting);
        if (string.IsNullOrWhiteSpace(folder) || !Path.IsPathRooted(folder))
        {
            throw Invalid($"{FolderSetting} must be an absolute folder path.");
        }

        var chunkText = Find(settings, ChunkSizeSetting) ?? DefaultChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!long.TryParse(chunkText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var chunk) ||
            chunk < 4096 || chunk > (64 << 20) || (chunk & (chunk - 1)) != 0)
        {
            throw Invalid($"{ChunkSizeSetting} must be a power of two from 4096 to 67108864 bytes; '{chunkText}' is not.");
        }

        var validated = new Dictionary<string, string>
        {
            [FolderSetting] = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar),
            [ChunkSizeSetting] = chunk.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        // A secret arrives as its reference (the engine checked it is one) and is stored as it came.
        if (Find(settings, AccessKey.Setting) is { } accessKey)
        {
            validated[AccessKey.Setting] = accessKey;
        }

        return validated;
    }

    private static string? Find(IReadOnlyDictionary<string, string> settings, string name) =>
        settings.FirstOrDefault(s => s.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    private static StorageDriverException Invalid(string message) => new(DriverErrorIds.InvalidSetting, message);
}
