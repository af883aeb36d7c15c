using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace Replication.Engine.Diagnostics;

/// <summary>
/// Named points inside operations where the crash tests kill the process, to prove that what is on disk and in state
/// at that moment can be finished or rolled back by the next command. Inert unless REPLICATION_POWERSHELL_CRASH_AT
/// names a point; then the process kills itself with SIGKILL there (on Windows, TerminateProcess): no finally block,
/// flush or dispose runs, exactly as when an admin's runbook host dies. "point@3" kills at the third time the point is
/// passed (an export killed between the copies of its third write, after two acknowledged ones).
/// </summary>
internal static class CrashPoints
{
    public const string EnvironmentVariable = "REPLICATION_POWERSHELL_CRASH_AT";

    private static readonly Dictionary<string, int> Armed = (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "")
        .Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Trim().Split('@'))
        .ToDictionary(p => p[0], p => p.Length > 1 && int.TryParse(p[1], out var nth) && nth > 0 ? nth : 1, StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, int> Passes = new(StringComparer.Ordinal);

    public static void Hit(string point)
    {
        if (Armed.Count > 0 && Armed.TryGetValue(point, out var nth) && Passes.AddOrUpdate(point, 1, (_, n) => n + 1) == nth)
        {
            Process.GetCurrentProcess().Kill();
            // The signal is on its way; never run past the point.
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
