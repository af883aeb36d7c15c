using System;
using System.IO;
using System.Linq;
using System.Diagnostics;

namespace Replication.Engine.Tests.Export;

/// <summary>QEMU's own NBD client (qemu-io from the Debian package qemu-utils), run as a child process.</summary>
internal static class QemuIo
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Starts qemu-io on <paramref name="url"/> with one -c per command; the caller waits with <see cref="Finish"/>.</summary>
    public static Process Start(string url, params string[] commands)
    {
        var start = new ProcessStartInfo("qemu-io") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("raw");
        foreach (var command in commands)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(command);
        }

        start.ArgumentList.Add(url);
        return Process.Start(start) ?? throw new InvalidOperationException("qemu-io did not start.");
    }

    /// <summary>Waits for qemu-io and fails the test unless every command succeeded (qemu-io exits 0; a pattern mismatch or an I/O error exits 1).</summary>
    public static string Finish(Process process)
    {
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("qemu-io did not finish.");
            }

            var text = output.Result + errors.Result;
            Assert.True(process.ExitCode == 0, $"qemu-io exited with {process.ExitCode}: {text}");
            return text;
        }
    }

    /// <summary>Runs qemu-io to the end; its output, every command having succeeded.</summary>
    public static string Run(string url, params string[] commands) => Finish(Start(url, commands));

    /// <summary>Runs qemu-io to the end and returns its exit code and output, for commands expected to fail.</summary>
    public static (int ExitCode, string Output) Try(string url, params string[] commands)
    {
        using var process = Start(url, commands);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(Timeout), "qemu-io did not finish.");
        return (process.ExitCode, output.Result + errors.Result);
    }
}
