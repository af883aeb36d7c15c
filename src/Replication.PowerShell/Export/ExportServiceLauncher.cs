using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Text;
using Replication.Engine.Errors;
using Replication.Engine.Export;
using Replication.Engine.State;

namespace Replication.PowerShell.Export;

/// <summary>
/// Starts an export service as a process of its own, with the PowerShell this module runs in (pwsh, or dotnet with
/// pwsh.dll, or Windows PowerShell): it outlives the session that started it, and a client's or admin's session ending
/// never takes the volumes away from the hypervisors using them. The state store and a fresh command token are handed
/// over in its environment; it answers READY with its ports once it listens.
/// </summary>
internal static class ExportServiceLauncher
{
    private const string ServiceScript = "Replication.PowerShell.ExportService.ps1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public static ExportServiceHandle Start(IPEndPoint endpoint, ExportLimits limits, string stateAddress)
    {
        var token = ExportCatalog.NewServiceToken();
        var script = Path.Combine(Path.GetDirectoryName(typeof(ExportServiceLauncher).Assembly.Location)!, ServiceScript);
        var (file, leading) = ThisPowerShell(endpoint);
        var arguments = leading.Concat(new[]
        {
            "-NoProfile", "-NonInteractive", "-File", script, "-Address", endpoint.Address.ToString(), "-Port", Invariant(endpoint.Port),
            "-IdleTimeoutMilliseconds", Invariant((int)limits.IdleTimeout.TotalMilliseconds), "-ConnectionsPerClient", Invariant(limits.ConnectionsPerClient),
        });
        var start = new ProcessStartInfo(file, string.Join(" ", arguments.Select(Quote)))
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment[StateLocation.EnvironmentVariable] = stateAddress;
        start.Environment[ExportServiceHost.TokenVariable] = token;
        // A crash test's armed point is for the process under test, never for a service it starts.
        start.Environment.Remove("REPLICATION_POWERSHELL_CRASH_AT");

        using var process = Process.Start(start) ?? throw Failed(endpoint, "the process did not start");
        process.StandardInput.Close();
        var reading = process.StandardOutput.ReadLineAsync();
        while (true)
        {
            if (!reading.Wait(StartTimeout))
            {
                process.Kill();
                throw Failed(endpoint, $"it did not say it was ready within {StartTimeout.TotalSeconds:N0} s");
            }

            var line = reading.Result;
            if (line is null)
            {
                process.WaitForExit();
                throw Failed(endpoint, $"it ended with exit code {process.ExitCode}: {process.StandardError.ReadToEnd().Trim()}");
            }

            var parts = line.Split(new[] { ' ' }, 4);
            if (parts[0] == "READY" && parts.Length >= 3)
            {
                // The service keeps running on its own; this process lets go of its pipes.
                process.StandardOutput.Dispose();
                process.StandardError.Dispose();
                return new ExportServiceHandle(new IPEndPoint(endpoint.Address, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), token, process.Id, limits);
            }

            if (parts[0] == "FAILED" && parts.Length == 4)
            {
                throw new ReplicationException(parts[1], (ErrorKind)int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), parts[3], endpoint.Port);
            }

            reading = process.StandardOutput.ReadLineAsync();
        }
    }

    /// <summary>
    /// The executable of this PowerShell, and what goes before its arguments (pwsh.dll when it runs as a .NET tool
    /// through dotnet). A host that embeds PowerShell is not one the service can be started with.
    /// </summary>
    private static (string File, IEnumerable<string> Leading) ThisPowerShell(IPEndPoint endpoint)
    {
        using var current = Process.GetCurrentProcess();
        var file = current.MainModule!.FileName!;
        var name = Path.GetFileNameWithoutExtension(file);
        if (string.Equals(name, "dotnet", StringComparison.OrdinalIgnoreCase) && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry
            && string.Equals(Path.GetFileName(entry), "pwsh.dll", StringComparison.OrdinalIgnoreCase))
        {
            return (file, new[] { entry });
        }

        return name.Equals("pwsh", StringComparison.OrdinalIgnoreCase) || name.Equals("powershell", StringComparison.OrdinalIgnoreCase)
            ? (file, Array.Empty<string>())
            : throw Failed(endpoint, $"this process ({Path.GetFileName(file)}) hosts PowerShell but is not pwsh or powershell, which the background service runs in; run Start-VolumeExport from pwsh, or serve from this session with -Wait");
    }

    /// <summary>One argument as both Windows' and .NET's command-line parsers read it back: quoted, with quotes and the backslashes before them escaped.</summary>
    private static string Quote(string argument)
    {
        var quoted = new StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            quoted.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes).Append(c);
            backslashes = 0;
        }

        return quoted.Append('\\', backslashes * 2).Append('"').ToString();
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ReplicationException Failed(IPEndPoint endpoint, string why) =>
        new(ErrorIds.ExportServiceFailed, ErrorKind.ResourceUnavailable, $"The export service for {ExportCatalog.Describe(endpoint)} could not be started: {why}.", endpoint.Port);
}
