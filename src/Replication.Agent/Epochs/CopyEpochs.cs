using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Replication.Drivers;
using Replication.Engine.Files;

namespace Replication.Agent.Epochs;

/// <summary>
/// The fence epochs this agent knows, one per copy, kept in <c>agent-epochs</c> in its storage folder (0600, written to a
/// new file, flushed and renamed over the old one; its last line the SHA-256 of the rest, so a damaged file is refused,
/// never read as "no epochs"). Which copies were confirmed since the agent started is kept in memory only: after a
/// restart every copy is unconfirmed until its partner agent or the controller confirms it.
/// </summary>
public sealed class CopyEpochs
{
    public const string FileName = "agent-epochs";
    private const string ChecksumPrefix = "sha256:";

    private readonly object _gate = new();
    private readonly string _folder;
    private readonly Dictionary<string, CopyEpoch> _epochs;
    private readonly Dictionary<string, string?> _confirmedStamps = new(StringComparer.Ordinal);

    public CopyEpochs(AgentOptions options)
    {
        _folder = options.StorageFolder;
        _epochs = Load(_folder).ToDictionary(e => e.Location, StringComparer.Ordinal);
    }

    public IReadOnlyList<CopyEpoch> All()
    {
        lock (_gate)
        {
            return _epochs.Values.ToList();
        }
    }

    public CopyEpoch? Get(string location)
    {
        lock (_gate)
        {
            return _epochs.TryGetValue(location, out var epoch) ? epoch : null;
        }
    }

    /// <summary>True when the copy's epoch was confirmed since this agent started (by the controller or the partner agent).</summary>
    public bool IsConfirmed(string location)
    {
        lock (_gate)
        {
            return _confirmedStamps.ContainsKey(location);
        }
    }

    /// <summary>The copy's stamp when its epoch was last confirmed.</summary>
    public string? ConfirmedStamp(string location)
    {
        lock (_gate)
        {
            return _confirmedStamps.TryGetValue(location, out var stamp) ? stamp : null;
        }
    }

    public void Confirm(string location, string? stamp)
    {
        lock (_gate)
        {
            _confirmedStamps[location] = stamp;
        }
    }

    /// <summary>Records a copy's epoch durably (before the caller acts on it).</summary>
    public void Save(CopyEpoch epoch)
    {
        lock (_gate)
        {
            var next = new Dictionary<string, CopyEpoch>(_epochs, StringComparer.Ordinal) { [epoch.Location] = epoch };
            Write(next.Values);
            _epochs[epoch.Location] = epoch;
        }
    }

    public void Forget(string location)
    {
        lock (_gate)
        {
            if (!_epochs.ContainsKey(location))
            {
                return;
            }

            Write(_epochs.Values.Where(e => e.Location != location));
            _epochs.Remove(location);
            _confirmedStamps.Remove(location);
        }
    }

    private static FolderTrust Trust => new() { What = "the agent's storage folder", FolderMode = Modes.OwnerOnlyFolder };

    private void Write(IEnumerable<CopyEpoch> epochs)
    {
        var body = JsonSerializer.Serialize(epochs.OrderBy(e => e.Location, StringComparer.Ordinal).ToList());
        var bytes = Encoding.UTF8.GetBytes(body + "\n" + ChecksumPrefix + Checksum(body) + "\n");
        using var folder = VerifiedFolder.OpenOrCreate(_folder, Trust, out _);
        var staged = FileName + ".new";
        folder.TryDelete(staged);
        using (var file = folder.OpenFile(staged, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            file.Write(bytes, 0, bytes.Length);
            file.Flush(flushToDisk: true);
        }

        folder.Rename(staged, FileName);
        folder.Sync();
    }

    private static IReadOnlyList<CopyEpoch> Load(string storageFolder)
    {
        if (!Directory.Exists(storageFolder))
        {
            return Array.Empty<CopyEpoch>();
        }

        using var folder = VerifiedFolder.Open(storageFolder, Trust);
        string text;
        try
        {
            using var file = folder.OpenFile(FileName, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var reader = new StreamReader(file, Encoding.UTF8);
            text = reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return Array.Empty<CopyEpoch>();
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != 2 || lines[1] != ChecksumPrefix + Checksum(lines[0]))
        {
            throw new StorageDriverException(DriverErrorIds.StorageRefused,
                $"'{Path.Combine(storageFolder, FileName)}' is damaged (its checksum does not match): the agent does not know which of its copies were demoted. The agent does not start on it: restore it from a backup (removing it forgets which copies were demoted).");
        }

        return JsonSerializer.Deserialize<List<CopyEpoch>>(lines[0]) ?? new List<CopyEpoch>();
    }

    private static string Checksum(string body) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
}
