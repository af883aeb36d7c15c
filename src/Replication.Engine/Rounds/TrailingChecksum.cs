using System;
using System.IO;
using System.IO.Hashing;

namespace Replication.Engine.Rounds;

/// <summary>The XxHash64 a sidecar file (a sync journal, an undo log) ends with, and the one its content has.</summary>
internal static class TrailingChecksum
{
    /// <summary>Reads the whole file; null when it is shorter than its checksum or ends before its length says.</summary>
    public static (ulong Stored, ulong Computed)? Read(Stream file)
    {
        if (file.Length < sizeof(ulong))
        {
            return null;
        }

        file.Position = 0;
        var hash = new XxHash64();
        var buffer = new byte[1 << 20];
        var remaining = file.Length - sizeof(ulong);
        while (remaining > 0)
        {
            var n = file.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (n == 0)
            {
                return null;
            }

            hash.Append(buffer.AsSpan(0, n));
            remaining -= n;
        }

        var stored = new byte[sizeof(ulong)];
        for (var total = 0; total < stored.Length;)
        {
            var n = file.Read(stored, total, stored.Length - total);
            if (n == 0)
            {
                return null;
            }

            total += n;
        }

        return (BitConverter.ToUInt64(stored, 0), hash.GetCurrentHashAsUInt64());
    }
}
