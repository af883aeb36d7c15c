using System;
using System.Diagnostics;

namespace Replication.Engine.Tests.Export;

/// <summary>QEMU's image tool (qemu-img from the Debian package qemu-utils), run as a child process to the end.</summary>
internal static class QemuImg
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs qemu-img with these arguments and returns what it wrote to standard output; fails the test unless it exits 0.</summary>
    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("qemu-img") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("qemu-img did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"qemu-img {string.Join(" ", arguments)} did not finish.");
        }

        Assert.True(process.ExitCode == 0, $"qemu-img exited with {process.ExitCode}: {errors.Result}");
        return output.Result;
    }
}
