using System.Runtime.InteropServices;

namespace Replication.PowerShell.Export;

/// <summary>
/// A background export service must outlive the terminal that started it: on Unix it moves into a session of its own
/// (setsid), so closing the terminal (SIGHUP to its session) or Ctrl+C there (SIGINT to its foreground group) does not
/// reach it. On Windows it was started without a console, which has the same effect.
/// </summary>
internal static class TerminalSession
{
    public static void Leave()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            // Fails only for a process that already leads a group, which a freshly started child never does.
            _ = SetSid();
        }
    }

    [DllImport("libc", EntryPoint = "setsid", SetLastError = true)]
    private static extern int SetSid();
}
