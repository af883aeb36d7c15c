using System;
using System.Diagnostics;

namespace Replication.Engine;

/// <summary>Whether a process that recorded itself (a lease holder, an export service) is still running.</summary>
internal static class ProcessLiveness
{
    /// <summary>
    /// True when the process is known to be gone: it was of this host and no process with its id and start time runs
    /// (a process with its id but another start time is a later one that reused the id). A process of another host,
    /// or this very process, is never known to be gone.
    /// </summary>
    public static bool IsGone(string host, int processId, DateTimeOffset processStartedAt)
    {
        if (!string.Equals(host, EngineContext.Host, StringComparison.OrdinalIgnoreCase) || processId == EngineContext.ProcessId)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return process.HasExited || Math.Abs((process.StartTime.ToUniversalTime() - processStartedAt.UtcDateTime).TotalSeconds) > 1;
        }
        catch (ArgumentException)
        {
            return true; // No process with that id.
        }
        catch (InvalidOperationException)
        {
            return true; // It exited while being looked at.
        }
    }
}
