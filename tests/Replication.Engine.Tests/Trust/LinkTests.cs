using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using Replication.Engine.Errors;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Trust;

/// <summary>
/// A link planted where the module keeps a file of its own (a replica, a primary, a journal, a dirty bitmap, an export
/// record, the module's folder, an orphan) is refused with a stable error, and nothing outside is written, chmod-ed,
/// moved or removed through it.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
[UnsupportedOSPlatform("windows")]
public sealed class LinkTests : IDisposable
{
    private const string Vol = "db01";
    private const long Size = 4 * MiB;

    private readonly EngineSite site = new EngineSite().WithPairAndReplicatedType();
    private readonly OutsideFile outside;

    public LinkTests()
    {
        outside = new OutsideFile(site.ScratchFile("precious.bin"));
        site.CreateVolume(Vol, Size);
        WriteAt(site.PrimaryFile(Vol), 0, RandomBytes(2 * Block, 1));
        site.Sync(Vol);
    }

    public void Dispose() => site.Dispose();

    private Guid Id => site.Engine.Volumes.Get(Vol).Id;

    private string ModuleFile(string backend, string suffix) => Path.Combine(site.FolderOf(backend), ".replication", $"volume-{Id:D}{suffix}");

    [UnixFact]
    public void AReplicaReplacedByALink_IsNeverWritten_TheSyncIsRefusedWithLinkRefused()
    {
        outside.PlantLinkAt(site.ReplicaFile(Vol));
        WriteAt(site.PrimaryFile(Vol), 0, RandomBytes(Block, 2));

        var error = Refused(ErrorIds.LinkRefused, () => site.Sync(Vol, forceRead: true));

        Assert.Contains(site.ReplicaFile(Vol), error.Message);
        outside.AssertUntouched();
        Assert.True(new FileInfo(site.ReplicaFile(Vol)).LinkTarget is not null, "the link itself was replaced or removed");
    }

    [UnixFact]
    public void APrimaryReplacedByALink_IsNeitherReadNorFenced_AndReenableNeverWritesThroughIt()
    {
        outside.PlantLinkAt(site.PrimaryFile(Vol));

        var planned = Refused(ErrorIds.PlannedPromotionFailed, () => site.Promote(Vol, planned: true));
        Assert.Contains("link", planned.Message);
        var promotion = site.Promote(Vol, planned: false);
        Assert.False(promotion.FencedOnDisk);
        outside.AssertUntouched();

        Refused(ErrorIds.LinkRefused, () => site.Enable(Vol));

        outside.AssertUntouched();
    }

    [UnixFact]
    public void ALinkAtTheDirtyBitmap_IsRefused_AndTheFileItLeadsToIsNeitherWrittenNorGrown()
    {
        outside.PlantLinkAt(ModuleFile("dc1", ".dirty"));

        Refused(ErrorIds.LinkRefused, () => site.Sync(Vol));

        outside.AssertUntouched();
        Assert.Equal(ReplicationStatus.Active.ToCinder(), site.Replica(Vol).Status);
    }

    [UnixFact]
    public void ALinkAtTheExportRecord_IsRefused_AndNotRead()
    {
        outside.PlantLinkAt(ModuleFile("dc1", ".export"));

        Refused(ErrorIds.LinkRefused, () => site.Promote(Vol, planned: false));

        outside.AssertUntouched();
    }

    [UnixTheory]
    [InlineData(".sync-journal")]
    [InlineData(".sync-journal.tmp")]
    public void ALinkAtAJournal_IsRefused_AndNothingIsWrittenThroughIt(string journal)
    {
        outside.PlantLinkAt(ModuleFile("dc2", journal));
        WriteAt(site.PrimaryFile(Vol), 0, RandomBytes(Block, 3));

        Refused(ErrorIds.LinkRefused, () => site.Sync(Vol, forceRead: true));

        outside.AssertUntouched();
    }

    [UnixFact]
    public void TheModulesFolderReplacedByALinkToAnotherFolder_IsRefused_AndNothingIsMadeThere()
    {
        var elsewhere = Directory.CreateDirectory(site.ScratchFile("elsewhere")).FullName;
        var moduleFolder = Path.Combine(site.FolderOf("dc2"), ".replication");
        Directory.Delete(moduleFolder, recursive: true);
        Directory.CreateSymbolicLink(moduleFolder, elsewhere);

        Refused(ErrorIds.LinkRefused, () => site.Sync(Vol, forceRead: true));

        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    [UnixFact]
    public void RemovingAVolumeWhoseReplicaIsALink_RemovesNothingThroughIt()
    {
        outside.PlantLinkAt(site.ReplicaFile(Vol));

        Refused(ErrorIds.LinkRefused, () => site.Engine.Volumes.Delete(Vol, site.Quiet, default));

        outside.AssertUntouched();
    }

    [UnixFact]
    public void AnOrphanThatIsALink_IsReportedNotRemoved()
    {
        var orphan = outside.PlantLinkAt(Path.Combine(site.FolderOf("dc1"), $"volume-{Guid.NewGuid():D}.img"));

        var findings = site.Engine.Repair.Run(removeOrphanFiles: true, _ => true, site.Quiet);

        var finding = Assert.Single(findings, f => f.Kind == "OrphanFile");
        Assert.False(finding.Applied);
        Assert.Contains("link", finding.Action);
        Assert.True(new FileInfo(orphan).LinkTarget is not null);
        outside.AssertUntouched();
    }
}
