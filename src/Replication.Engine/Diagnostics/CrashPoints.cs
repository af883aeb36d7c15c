using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace Replication.Engine.Diagnostics;

/// <summary>
/// Named points inside operations where the crash tests kill the process, to prove that what is on disk and in state
/// at that moment can be finished or rolled back by the next command. Inert unless REPLICATION_POWERSHELL_CRASH_AT
/// names a point; then the process kills itself with SIGKILL there (on Windows, TerminateProcess): no finally block,
/// flush or dispose runs, exactly as when an admin's runbook host dies.
/// </summary>
internal static class CrashPoints
{
    public const string EnvironmentVariable = "REPLICATION_POWERSHELL_CRASH_AT";

    private static readonly HashSet<string> Armed = new(
        (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "").Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()),
        StringComparer.Ordinal);

    public static void Hit(string point)
    {
        if (Armed.Count > 0 && Armed.Contains(point))
        {
            Process.GetCurrentProcess().Kill();
            // The signal is on its way; never run past the point.
            System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite);
        }
    }
}
