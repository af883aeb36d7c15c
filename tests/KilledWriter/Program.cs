using System;
using System.IO;
using System.Linq;
using Replication.Drivers;
using Replication.Engine.Drivers.LocalFile;
using Samples.ChunkFolder;

// KilledWriter <LocalFile|ChunkFolder> <store id> <location> <started marker> <Setting=value>...
// Opens the copy read-write and overwrites it, a block at a time from a seeded random stream, flushing every few blocks,
// until it is killed; it makes the marker file once the first block is down. It ends by itself after a minute, so a test
// that fails to kill it leaves nothing running.
IStorageDriver driver = args[0] == "LocalFile" ? new LocalFileDriver() : new ChunkFolderDriver();
var settings = args.Skip(4).Select(a => a.Split(new[] { '=' }, 2)).ToDictionary(p => p[0], p => p[1]);
var backend = new BackendConfiguration("killed", settings, args[1]);
using var device = driver.Open(backend, args[2], DeviceAccess.ReadWrite);
const int block = 64 * 1024;
var blocks = device.Length / block;
var random = new Random(1);
var buffer = new byte[block];
var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
for (long written = 0; DateTime.UtcNow < until; written++)
{
    random.NextBytes(buffer);
    device.Write(written * 7 % blocks * block, buffer, 0, block);
    if (written % 4 == 3)
    {
        device.Flush();
    }

    if (written == 0)
    {
        device.Flush();
        File.WriteAllText(args[3], "writing");
    }
}
