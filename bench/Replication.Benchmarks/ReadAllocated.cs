using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Replication.Benchmarks;

/// <summary>
/// "One read of the primary's data": walks SEEK_DATA/SEEK_HOLE and reads only the allocated extents in 4 MiB reads (a sync round's read size),
/// the least I/O any sync of a sparse file must do. dd reads the holes too (as zeros, from no disk). Linux only.
/// Prints {"bytes":N,"seconds":S} measured inside the process (no runtime start-up).
/// </summary>
internal static class ReadAllocated
{
    private const int SeekData = 3;
    private const int SeekHole = 4;

    [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static extern long Seek(int fd, long offset, int whence);

    public static int Run(string path)
    {
        var clock = Stopwatch.StartNew();
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var fd = (int)handle.DangerousGetHandle();
        var length = RandomAccess.GetLength(handle);
        var buffer = new byte[4 << 20];
        long total = 0, position = 0;
        while (position < length)
        {
            var data = Seek(fd, position, SeekData);
            if (data < 0)
            {
                break; // ENXIO: only holes follow
            }

            var hole = Seek(fd, data, SeekHole);
            for (var offset = data; offset < hole;)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, hole - offset)), offset);
                if (n == 0)
                {
                    break;
                }

                offset += n;
                total += n;
            }

            position = hole;
        }

        Console.WriteLine($"{{\"bytes\":{total},\"seconds\":{clock.Elapsed.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}");
        return 0;
    }
}
