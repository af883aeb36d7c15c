using System;
using System.Management.Automation;
using System.Net;
using Replication.Engine.Errors;
using Replication.Engine.Export;
using Replication.Engine.Model;
using Replication.PowerShell.Export;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

/// <summary>
/// Serves volumes over NBD (nbd://address:port/name) from an export service: by default a background process that
/// outlives this session (one per address and port, shared by every volume exported there); with -Wait, this session.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "VolumeExport", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VolumeExport))]
public sealed class StartVolumeExportCommand : VolumeTargetCommand
{
    private ExportServiceHandle? _background;
    private ExportService? _foreground;

    /// <summary>The TCP port clients connect to; 0 picks a free one.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; } = ExportCatalog.DefaultPort;

    /// <summary>The address to listen on; the loopback address unless clients on other hosts must reach it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Serve from this session until every volume is stopped (Stop-VolumeExport) or Ctrl+C, instead of from a background process.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>A client connection that sends no request for this long is closed (0: never). Set when the service starts.</summary>
    [Parameter]
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>How many connections one client (a local user, or a remote address) may hold at once. Set when the service starts.</summary>
    [Parameter]
    [ValidateRange(1, ExportLimits.MaxConnections)]
    public int? ConnectionsPerClient { get; set; }

    private IPEndPoint _endpoint = null!;

    /// <summary>The limits asked for, or null when neither was given (a running service is then joined whatever its limits).</summary>
    private ExportLimits? _limits;

    protected override void BeginProcessing()
    {
        try
        {
            _endpoint = ExportCatalog.Endpoint(Address, Port);
            _limits = IdleTimeout is null && ConnectionsPerClient is null ? null : new ExportLimits
            {
                IdleTimeout = IdleTimeout ?? ExportLimits.DefaultIdleTimeout,
                ConnectionsPerClient = ConnectionsPerClient ?? ExportLimits.DefaultConnectionsPerClient,
            }.Validated();
        }
        catch (ReplicationException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex, Names, ex.ErrorId == ErrorIds.InvalidExportLimit ? IdleTimeout : Address));
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames())
        {
            if (ShouldProcess(name, $"Export over NBD on {ExportCatalog.Describe(_endpoint)}" + (Wait ? " from this session" : "")))
            {
                ForItem(name, () => WriteObject(Wait ? Foreground().Add(name, Observer) : AddToBackground(name)));
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_foreground is not null)
        {
            try
            {
                WriteVerbose($"Serving from this session on {ExportCatalog.Describe(_foreground.Endpoint)} until every volume is stopped (Stop-VolumeExport) or Ctrl+C.");
                _foreground.WaitUntilIdle(TimeSpan.Zero, Cancellation);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: every volume is stopped as Stop-VolumeExport would, below.
            }
            finally
            {
                _foreground.Dispose();
            }
        }

        base.EndProcessing();
    }

    /// <summary>
    /// Adds the volume to the service this run uses: the one already serving the address and port, else a new background
    /// process. A service that fails its first volume ends, so the next volume looks for (or starts) one again.
    /// </summary>
    private VolumeExport AddToBackground(string name)
    {
        _background ??= (Port == 0 ? null : Engine.Exports.FindService(_endpoint)) ?? ExportServiceLauncher.Start(_endpoint, _limits ?? ExportLimits.Default, EngineSessions.CurrentAddress.Value);
        try
        {
            return Engine.Exports.Add(_background, name, _limits);
        }
        catch (ReplicationException)
        {
            _background = null;
            throw;
        }
    }

    private ExportService Foreground() => _foreground ??= Engine.Exports.Serve(_endpoint, _limits);
}
