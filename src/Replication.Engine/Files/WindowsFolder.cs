using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using static Replication.Engine.Files.Native.NativeMethods;

namespace Replication.Engine.Files;

/// <summary>
/// A <see cref="VerifiedFolder"/> on Windows: the folder's handle, held without FILE_SHARE_DELETE so it cannot be renamed
/// or removed while open, and every entry in it opened with FILE_FLAG_OPEN_REPARSE_POINT and refused if it is one.
/// Owners and ACLs are not checked (a file made under the user's profile inherits an ACL that admits only that user,
/// SYSTEM and administrators); the read-only attribute stands for the fence.
/// </summary>
internal sealed class WindowsFolder : VerifiedFolder
{
    private const uint ShareAll = 0x7; // FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
    private const uint ShareReadWrite = 0x3;
    private const int MaxDepth = 4096;

    private readonly SafeFileHandle _handle;

    private WindowsFolder(SafeFileHandle handle, string path, FolderTrust trust, FileFacts facts)
        : base(path, trust, facts) => _handle = handle;

    public static WindowsFolder OpenRoot(string path, FolderTrust trust, bool create, out bool created)
    {
        created = create && !Directory.Exists(path);
        if (created)
        {
            Directory.CreateDirectory(path);
        }

        // The admin's path: followed, links included.
        return Checked(OpenFolderHandle(path, Windows.FlagBackupSemantics), path, trust);
    }

    public override VerifiedFolder Subfolder(string name, FolderTrust trust, bool create)
    {
        var path = PathOf(name);
        if (create && Look(name) is null)
        {
            Directory.CreateDirectory(path);
        }

        return Checked(OpenFolderHandle(path, Windows.FlagBackupSemantics | Windows.FlagOpenReparsePoint), path, trust);
    }

    public override FileStream OpenFile(string name, FileMode mode, FileAccess access, FileShare share, int bufferSize = 1)
    {
        var path = PathOf(name);
        var rights = access switch
        {
            FileAccess.Read => Windows.GenericRead,
            FileAccess.Write => Windows.GenericWrite | Windows.FileReadAttributes,
            _ => Windows.GenericRead | Windows.GenericWrite,
        };
        var disposition = mode switch
        {
            FileMode.CreateNew => Windows.CreateNew,
            FileMode.OpenOrCreate => Windows.OpenAlways,
            _ => Windows.OpenExisting,
        };
        var handle = Windows.CreateFile(path, rights | Windows.FileWriteAttributes, (uint)share & ShareAll, IntPtr.Zero, disposition, Windows.FlagOpenReparsePoint, IntPtr.Zero);
        var error = Marshal.GetLastWin32Error();
        if (handle.IsInvalid)
        {
            throw error is Windows.ErrorFileExists or Windows.ErrorAlreadyExists ? new IOException($"'{path}' already exists.") : TrustErrors.FromError("Cannot open", path, error, windows: true);
        }

        var created = mode == FileMode.CreateNew || (mode == FileMode.OpenOrCreate && error != Windows.ErrorAlreadyExists);
        try
        {
            var facts = Describe(handle, path);
            if (facts.Kind == EntryKind.Link)
            {
                throw TrustErrors.Link(path);
            }

            if (facts.Kind != EntryKind.File)
            {
                throw TrustErrors.NotTrusted(path, "it is not a regular file, and the module keeps only regular files there.");
            }

            return Named(new FileStream(handle, access, bufferSize), name);
        }
        catch
        {
            handle.Dispose();
            if (created)
            {
                Delete(name);
            }

            throw;
        }
    }

    public override void SetModeWithoutOpening(string name, int mode)
    {
    }

    public override FileFacts? Look(string name)
    {
        var path = PathOf(name);
        using var handle = Windows.CreateFile(path, Windows.FileReadAttributes, ShareAll, IntPtr.Zero, Windows.OpenExisting, Windows.FlagBackupSemantics | Windows.FlagOpenReparsePoint, IntPtr.Zero);
        if (handle.IsInvalid)
        {
            var error = Marshal.GetLastWin32Error();
            return error is Windows.ErrorFileNotFound or Windows.ErrorPathNotFound ? null : throw TrustErrors.FromError("Cannot look at", path, error, windows: true);
        }

        return Describe(handle, path);
    }

    public override bool Delete(string name) => Remove(name, folder: false);

    public override bool DeleteFolder(string name) => Remove(name, folder: true);

    public override void Rename(string from, string to)
    {
        // MoveFileEx moves a link itself, never its target.
        if (!Windows.MoveFileEx(PathOf(from), PathOf(to), Windows.MoveFileReplaceExisting | Windows.MoveFileWriteThrough))
        {
            throw TrustErrors.FromError($"Cannot rename '{from}' over", PathOf(to), Marshal.GetLastWin32Error(), windows: true);
        }
    }

    public override void Sync()
    {
        // NTFS journals its metadata, and renames use MOVEFILE_WRITE_THROUGH: Windows has no folder flush.
    }

    public override IReadOnlyList<string> Lineage()
    {
        var lineage = new List<string> { Facts.Identity };
        var final = new StringBuilder(32768);
        if (Windows.GetFinalPathNameByHandle(_handle, final, final.Capacity, 0) <= 0)
        {
            return lineage;
        }

        var parent = Directory.GetParent(final.ToString());
        for (var depth = 0; parent is not null && depth < MaxDepth; depth++, parent = parent.Parent)
        {
            using var handle = OpenFolderHandle(parent.FullName, Windows.FlagBackupSemantics);
            lineage.Add(Describe(handle, parent.FullName).Identity);
        }

        return lineage;
    }

    public override void Dispose() => _handle.Dispose();

    public static FileFacts DescribeOpenFile(FileStream file) => Describe(file.SafeFileHandle, PathOf(file));

    public static void SetReadOnly(FileStream file, bool readOnly) => SetAttributes(file.SafeFileHandle, PathOf(file), readOnly);

    private static WindowsFolder Checked(SafeFileHandle handle, string path, FolderTrust trust)
    {
        try
        {
            var facts = Describe(handle, path);
            Verify(path, facts, trust);
            return new WindowsFolder(handle, path, trust, facts);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static SafeFileHandle OpenFolderHandle(string path, uint flags)
    {
        // No FILE_SHARE_DELETE: nobody renames or removes the folder while the module works in it.
        var handle = Windows.CreateFile(path, Windows.FileListDirectory | Windows.FileReadAttributes, ShareReadWrite, IntPtr.Zero, Windows.OpenExisting, flags, IntPtr.Zero);
        return handle.IsInvalid ? throw TrustErrors.FromError("Cannot open the folder", path, Marshal.GetLastWin32Error(), windows: true) : handle;
    }

    private bool Remove(string name, bool folder)
    {
        var path = PathOf(name);
        using var handle = Windows.CreateFile(path, Windows.DeleteAccess | Windows.FileReadAttributes | Windows.FileWriteAttributes, ShareAll, IntPtr.Zero,
            Windows.OpenExisting, Windows.FlagBackupSemantics | Windows.FlagOpenReparsePoint, IntPtr.Zero);
        if (handle.IsInvalid)
        {
            var error = Marshal.GetLastWin32Error();
            return error is Windows.ErrorFileNotFound or Windows.ErrorPathNotFound ? false : throw TrustErrors.FromError("Cannot remove", path, error, windows: true);
        }

        var facts = Describe(handle, path);
        if (facts.Kind == EntryKind.Link)
        {
            throw TrustErrors.Link(path);
        }

        if ((facts.Kind == EntryKind.Folder) != folder)
        {
            throw new IOException(folder ? $"'{path}' is not a folder." : $"'{path}' is a folder, not a file.");
        }

        if (facts.ReadOnly)
        {
            // Windows refuses to delete a read-only (fenced) file.
            SetAttributes(handle, path, readOnly: false);
        }

        byte delete = 1;
        if (!Windows.SetFileInformationByHandle(handle, Windows.FileDispositionInfoClass, ref delete, sizeof(byte)))
        {
            throw TrustErrors.FromError("Cannot remove", path, Marshal.GetLastWin32Error(), windows: true);
        }

        return true;
    }

    private static void SetAttributes(SafeFileHandle handle, string path, bool readOnly)
    {
        if (!Windows.GetFileInformationByHandle(handle, out var information))
        {
            throw TrustErrors.FromError("Cannot read the attributes of", path, Marshal.GetLastWin32Error(), windows: true);
        }

        var basic = new Windows.FileBasicInfo
        {
            FileAttributes = readOnly ? information.FileAttributes | Windows.AttributeReadOnly : information.FileAttributes & ~Windows.AttributeReadOnly,
        };
        if (basic.FileAttributes == 0)
        {
            basic.FileAttributes = 0x80; // FILE_ATTRIBUTE_NORMAL: 0 would mean "leave the attributes as they are"
        }

        if (!Windows.SetFileInformationByHandle(handle, Windows.FileBasicInfoClass, ref basic, Marshal.SizeOf<Windows.FileBasicInfo>()))
        {
            throw TrustErrors.FromError("Cannot set the attributes of", path, Marshal.GetLastWin32Error(), windows: true);
        }
    }

    private static FileFacts Describe(SafeFileHandle handle, string path)
    {
        if (!Windows.GetFileInformationByHandle(handle, out var information))
        {
            throw TrustErrors.FromError("Cannot read the status of", path, Marshal.GetLastWin32Error(), windows: true);
        }

        var attributes = information.FileAttributes;
        return new FileFacts
        {
            Kind = (attributes & Windows.AttributeReparsePoint) != 0 ? EntryKind.Link
                : (attributes & Windows.AttributeDirectory) != 0 ? EntryKind.Folder
                : EntryKind.File,
            Identity = $"{information.VolumeSerialNumber:x8}:{information.FileIndexHigh:x8}{information.FileIndexLow:x8}",
            Size = ((long)information.FileSizeHigh << 32) | information.FileSizeLow,
            ModifiedTicks = DateTime.FromFileTimeUtc(((long)information.LastWriteTimeHigh << 32) | information.LastWriteTimeLow).Ticks,
            ReadOnly = (attributes & Windows.AttributeReadOnly) != 0,
        };
    }
}
