using System.Collections;
using System.Management.Automation;
using Replication.Engine.Catalog;
using Replication.Engine.Drivers.LocalFile;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Commands;

[Cmdlet(VerbsCommon.New, "StorageBackend", SupportsShouldProcess = true)]
[OutputType(typeof(StorageBackend))]
public sealed class NewStorageBackendCommand : ReplicationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DriverNameCompleter))]
    public string Driver { get; set; } = LocalFileDriver.DriverName;

    /// <summary>LocalFile's folder (its Path setting); other drivers take everything from -Setting.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public string? Path { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(BackendNameCompleter))]
    public string? ReplicationPartner { get; set; }

    /// <summary>Capabilities the admin declares, matched by volume types' extra specs (for example @{ tier = 'gold' }).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Hashtable? Capability { get; set; }

    /// <summary>The driver's settings, checked by the driver; LocalFile has Path, FileMode (0600, 0640, 0660) and FolderMode (0700, 0710, 0750, 0770).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Hashtable? Setting { get; set; }

    protected override void ProcessRecord()
    {
        var folder = string.IsNullOrEmpty(Path) ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(Name, folder is null ? $"Create {Driver} storage backend" : $"Create {Driver} storage backend in '{folder}'"))
        {
            return;
        }

        ForItem(Name, () =>
        {
            var backend = Engine.Backends.Add(new BackendDefinition
            {
                Name = Name,
                Driver = Driver,
                Path = folder ?? "",
                ReplicationPartner = ReplicationPartner,
                DeclaredCapabilities = Hashtables.ToValues(Capability),
                Settings = Hashtables.ToValues(Setting),
            }, Observer);
            // A partner that does not exist yet is the usual first step of a pairing, or a typo: either way, say so.
            if (backend.PartnerProblem is { } problem)
            {
                WriteWarning(Names.Render(problem));
            }

            WriteObject(backend);
        });
    }
}
