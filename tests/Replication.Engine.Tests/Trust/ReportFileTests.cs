using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using Replication.Engine.Errors;
using Replication.Engine.State;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Trust;

/// <summary>A -ReportPath never lands on a file of the module's own or through a link, is written whole (0600), and says clearly what is wrong with a folder.</summary>
// A state file of its own: some cases point at the file itself.
[Trait(StoreTrait.Name, StoreTrait.Specific)]
[UnsupportedOSPlatform("windows")]
public sealed class ReportFileTests : IDisposable
{
    private readonly EngineSite site = new EngineSite(StateStoreKind.Sqlite).WithPairAndReplicatedType();

    public ReportFileTests()
    {
        site.CreateVolume("db01", 4 * MiB);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(Block, 1));
        site.Sync("db01");
    }

    public void Dispose() => site.Dispose();

    [UnixFact]
    [Trait("Store", "Specific")]
    public void TheStateFile_ItsWal_OrAnotherPathToIt_IsRefused_AndTheStateIsUnchanged()
    {
        var rows = site.SnapshotDatabase();
        var bytes = Sha256(site.StatePath);
        File.CreateSymbolicLink(site.ScratchFile("state-link.db"), site.StatePath);

        foreach (var path in new[] { site.StatePath, site.StatePath + "-wal", Path.Combine(Path.GetDirectoryName(site.StatePath)!, ".", "state.db") })
        {
            var error = Refused(ErrorIds.ReportPathRefused, () => site.Engine.Reports.Write(path, "<html>report</html>"));
            Assert.Contains("state file", error.Message);
        }

        Refused(ErrorIds.ReportPathRefused, () => site.Engine.Reports.Write(site.ScratchFile("state-link.db"), "<html>report</html>"));
        Assert.Equal(bytes, Sha256(site.StatePath));
        site.Reopen(); // another process still opens it
        Assert.Equal(rows, site.SnapshotDatabase());
    }

    [UnixTheory]
    [InlineData("primary")]
    [InlineData("replica")]
    [InlineData("new file")]
    public void AnythingInsideABackendFolder_IsRefused_AndNothingThereChanges(string what)
    {
        var path = what switch
        {
            "primary" => site.PrimaryFile("db01"),
            "replica" => site.ReplicaFile("db01"),
            _ => Path.Combine(site.FolderOf("dc2"), ".replication", "report.html"),
        };
        var before = site.SnapshotFolders();

        var error = Refused(ErrorIds.ReportPathRefused, () => site.Engine.Reports.Write(path, "<html>report</html>"));

        Assert.Contains("inside the folder of backend", error.Message);
        Assert.Equal(before, site.SnapshotFolders());
    }

    [UnixFact]
    public void ALink_IsRefused_AndWhatItLeadsToIsUntouched()
    {
        var outside = new OutsideFile(site.ScratchFile("precious.bin"));
        outside.PlantLinkAt(site.ScratchFile("report.html"));

        var error = Refused(ErrorIds.ReportPathRefused, () => site.Engine.Reports.Write(site.ScratchFile("report.html"), "<html>report</html>"));

        Assert.Contains("is a link", error.Message);
        outside.AssertUntouched();
    }

    [UnixFact]
    public void AFolder_OrAMissingFolder_IsInvalidPath_AndSaysWhy()
    {
        Assert.Contains("is a folder", Refused(ErrorIds.InvalidPath, () => site.Engine.Reports.Write(site.Root, "x")).Message);
        Assert.Contains("does not exist", Refused(ErrorIds.InvalidPath, () => site.Engine.Reports.Write(site.ScratchFile("missing/report.html"), "x")).Message);
        Assert.False(Directory.Exists(site.ScratchFile("missing")));
    }

    [UnixFact]
    public void AReport_IsWrittenWhole_ReadableByItsOwnerOnly_ReplacingAnOlderOne_AndLeavesNoTemporaryFile()
    {
        var path = site.ScratchFile("report.html");
        File.WriteAllText(path, "old report");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        site.Engine.Reports.Write(path, "<html>new</html>");

        Assert.Equal("<html>new</html>", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Empty(Directory.EnumerateFiles(site.Root, "*.tmp"));
    }
}
