using System;
using System.IO;
using System.Runtime.InteropServices;
using Replication.Drivers;

namespace Samples.ChunkFolder;

/// <summary>
/// Files only this user reads: folders 0700, files 0600, no link followed. Links are refused where someone else could
/// have planted one (the backend folder and the driver's own folders); inside those 0700 folders only this user makes
/// entries. New files are made with CreateNew, which never opens an existing file or link.
/// </summary>
internal static class PrivateFiles
{
    public static void EnsureFolder(string path)
    {
        RefuseLink(path);
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path);
            SetMode(path, 0x1C0); // 0700
        }
    }

    public static void RefuseLink(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists || Directory.Exists(path))
        {
            if ((info.Attributes & FileAttributes.ReparsePoint) != 0)
            {
                throw new StorageDriverException(DriverErrorIds.StorageRefused, $"'{path}' is a link; the driver never follows one.");
            }
        }
    }

    /// <summary>A new private file (never an existing one or a link), for the caller to write.</summary>
    public static FileStream CreateNew(string path)
    {
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        SetMode(path, 0x180); // 0600
        return stream;
    }

    /// <summary>Writes the file whole or not at all: written and synced aside in the staging folder, then renamed over it.</summary>
    public static void WriteAtomically(string stagingFolder, string path, byte[] content)
    {
        var aside = Path.Combine(stagingFolder, Guid.NewGuid().ToString("N"));
        using (var stream = CreateNew(aside))
        {
            stream.Write(content, 0, content.Length);
            stream.Flush(flushToDisk: true);
        }

        if (File.Exists(path))
        {
            File.Replace(aside, path, destinationBackupFileName: null); // rename(2): atomic
        }
        else
        {
            File.Move(aside, path);
        }
    }

    /// <summary>The file's content; null when it is not there.</summary>
    public static byte[]? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static void SetMode(string path, uint mode)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && chmod(path, mode) != 0)
        {
            throw new StorageDriverException(DriverErrorIds.IoFault, $"Cannot make '{path}' private (chmod failed with errno {Marshal.GetLastWin32Error()}).");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int chmod(string path, uint mode);
}
