using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;

namespace Replication.Engine.Files.Native;

/// <summary>
/// P/Invoke declarations, one nested class per ABI. The library targets netstandard2.0, so it cannot use
/// NativeLibrary or LibraryImport; "libc" resolves to the C library on both Linux and macOS.
/// Unix paths are passed as plain strings: .NET (Core) marshals CharSet.Ansi as UTF-8 on Unix, and .NET Framework
/// never runs there.
/// </summary>
internal static partial class NativeMethods
{
    /// <summary>Which native ABI this process runs on; decided once because it cannot change.</summary>
    internal static readonly NativePlatform Platform =
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? NativePlatform.Windows
        : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? NativePlatform.Linux
        : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? NativePlatform.MacOS
        : NativePlatform.OtherUnix;

    /// <summary>An IOException carrying the OS's own text for <paramref name="error"/> (errno on Unix, Win32 error on Windows).</summary>
    internal static IOException Failure(string action, int error)
    {
        var cause = new Win32Exception(error);
        return new IOException($"{action}: {cause.Message} (error {error}).", cause);
    }
}

internal enum NativePlatform
{
    Linux,
    MacOS,
    Windows,

    /// <summary>A Unix whose ABI we do not claim (FreeBSD, ...): only portable POSIX calls, sparse features fall back.</summary>
    OtherUnix,
}
