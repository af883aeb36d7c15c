using System;
using System.Linq;
using System.Threading;

namespace Replication.Drivers.Conformance;

/// <summary>
/// What a crash mid-operation may leave, as far as a check inside one process can show it. The kit cannot cut the power
/// or kill the driver mid-call; it watches from a second thread while the operation runs, so an operation that is not
/// all-or-nothing (a sidecar written in place) shows its half-done state to the watcher, as it would to the engine
/// after a crash at that moment. A real kill is in the kit's own tests (KilledWriterTests): a child process writing a
/// copy through the driver is killed with SIGKILL, and the copy and the engine's next round are checked after it.
/// </summary>
internal static class CrashPromises
{
    private const int Rounds = 40;

    public static string ReplaceOldOrNew(KitBackend kit)
    {
        var store = kit.Driver.Sidecars(kit.Backend);
        var name = SidecarPromises.NewName("crash");
        var prefix = name.Substring(0, name.Length - 4);
        var contents = new[] { KitBackend.Pattern(1 << 20, 1), KitBackend.Pattern((1 << 20) + 4096, 2) };
        store.Replace(name, contents[0]);
        string? seen = null;
        var reads = 0;
        try
        {
            using var done = new ManualResetEventSlim();
            var watcher = new Thread(() =>
            {
                try
                {
                    while (!done.IsSet && seen is null)
                    {
                        var read = store.Read(name);
                        reads++;
                        if (read is null || !contents.Any(c => c.SequenceEqual(read)))
                        {
                            seen = read is null ? "the sidecar missing" : $"{read.Length} bytes that are neither the old content nor the new";
                        }
                    }
                }
                catch (Exception ex)
                {
                    seen = $"Read failing ({ex.GetType().Name}: {ex.Message})";
                }
            });
            watcher.Start();
            for (var round = 1; round <= Rounds && seen is null; round++)
            {
                store.Replace(name, contents[round % 2]);
            }

            done.Set();
            watcher.Join();
            KitBackend.Require(seen is null, $"While Replace ran, a reader found {seen}: a crash at that moment would leave it so.");
            var listed = store.List(prefix);
            KitBackend.Require(listed.Count == 1, $"After Replace, List('{prefix}') gives [{string.Join(", ", listed)}]: what Replace writes aside must not show as a sidecar.");
        }
        finally
        {
            store.Delete(name);
        }

        return $"{Rounds} Replaces of 1 MiB watched by {reads} concurrent reads: every read gave the old content or the new, never a missing or partial sidecar, and nothing written aside is listed. (Checked from a second thread; the kit cannot cut the power.)";
    }
}
