using System;
using System.Net;
using System.Threading;
using Replication.Engine.Errors;
using Replication.Engine.Export;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Export;

/// <summary>
/// The body of an export service process that Start-VolumeExport started in the background (the module's
/// Replication.PowerShell.ExportService.ps1 calls <see cref="Run"/>): it leaves the terminal's session, serves on the
/// endpoint, says READY (or FAILED) on its standard output, and ends once it has no volume left.
/// </summary>
public static class ExportServiceHost
{
    /// <summary>How the starting process hands over the service's command token: in the environment, never on a command line anyone can read.</summary>
    public const string TokenVariable = "REPLICATION_POWERSHELL_EXPORT_TOKEN";

    /// <summary>How long a new service waits for its first volume before it ends.</summary>
    private static readonly TimeSpan FirstVolumeWithin = TimeSpan.FromSeconds(60);

    /// <returns>The process exit code: 0 after serving, 1 when the service could not start.</returns>
    public static int Run(string address, int port, int idleTimeoutMilliseconds, int connectionsPerClient)
    {
        TerminalSession.Leave();
        var token = Environment.GetEnvironmentVariable(TokenVariable);
        Environment.SetEnvironmentVariable(TokenVariable, null);
        try
        {
            if (string.IsNullOrEmpty(token))
            {
                throw new ReplicationException(ErrorIds.ExportServiceFailed, ErrorKind.InvalidArgument, $"No command token was handed over in {TokenVariable}.");
            }

            var limits = new ExportLimits { IdleTimeout = TimeSpan.FromMilliseconds(idleTimeoutMilliseconds), ConnectionsPerClient = connectionsPerClient };
            using var service = EngineSessions.Current().Exports.Serve(new IPEndPoint(IPAddress.Parse(address), port), limits, token);
            // A SIGTERM (or the host shutting down) stops every export as Stop-VolumeExport would.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => service.Dispose();
            Console.Out.WriteLine($"READY {service.Endpoint.Port} {service.ControlPort}");
            Console.Out.Flush();
            service.WaitUntilIdle(FirstVolumeWithin, CancellationToken.None);
            return 0;
        }
        catch (ReplicationException ex)
        {
            Console.Out.WriteLine($"FAILED {ex.ErrorId} {(int)ex.Kind} {ex.Message.Replace('\n', ' ')}");
            return 1;
        }
    }
}
