using System;
using System.Diagnostics;
using System.IO;

namespace Replication.Engine.Tests.Preflight;

/// <summary>
/// Real file systems for the pre-flight checks to fail on: small tmpfs and ramfs mounts, a loop-mounted ext4 with 1 KiB
/// blocks, and immutable folders (chattr +i). They need root, which the test machine runs as; each is undone on dispose.
/// </summary>
internal sealed class MountedFolder : IDisposable
{
    private readonly string? _image;

    private MountedFolder(string path, string? image)
    {
        Path = path;
        _image = image;
    }

    public string Path { get; }

    /// <summary>A tmpfs of <paramref name="sizeMiB"/> MiB: a file system that fills up.</summary>
    public static MountedFolder Tmpfs(string path, int sizeMiB) => Mount(path, null, "-t", "tmpfs", "-o", $"size={sizeMiB}m", "tmpfs", path);

    /// <summary>ramfs keeps files in memory but answers SEEK_DATA with "all data": a file system that reports no holes.</summary>
    public static MountedFolder Ramfs(string path) => Mount(path, null, "-t", "ramfs", "ramfs", path);

    /// <summary>An ext4 image with <paramref name="blockSize"/>-byte blocks, loop-mounted.</summary>
    public static MountedFolder Ext4(string path, int blockSize, int sizeMiB)
    {
        var image = path + ".img";
        using (var file = new FileStream(image, FileMode.CreateNew))
        {
            file.SetLength((long)sizeMiB << 20);
        }

        Native.Run("mkfs.ext4", "-q", "-F", "-b", blockSize.ToString(System.Globalization.CultureInfo.InvariantCulture), image);
        return Mount(path, image, "-o", "loop", image, path);
    }

    public void Dispose()
    {
        Native.Run("umount", Path);
        if (_image is not null)
        {
            File.Delete(_image);
        }
    }

    private static MountedFolder Mount(string path, string? image, params string[] arguments)
    {
        Directory.CreateDirectory(path);
        Native.Run("mount", arguments);
        return new MountedFolder(path, image);
    }
}

/// <summary>chattr +i on a folder: nobody, root included, can create or remove entries in it until chattr -i.</summary>
internal sealed class ImmutableFolder : IDisposable
{
    private readonly string _path;

    public ImmutableFolder(string path)
    {
        _path = path;
        Native.Run("chattr", "+i", path);
    }

    public void Dispose() => Native.Run("chattr", "-i", _path);
}

internal static class Native
{
    /// <summary>Runs a tool and returns what it printed; a non-zero exit throws with its error output.</summary>
    public static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(" ", arguments)} exited with {process.ExitCode}: {error.Trim()}");
        }

        return output;
    }
}
