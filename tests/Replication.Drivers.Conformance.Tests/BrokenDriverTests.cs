using System.Linq;

namespace Replication.Drivers.Conformance.Tests;

/// <summary>Each deliberately broken driver fails exactly the promise it breaks: the kit's checks are real.</summary>
public sealed class BrokenDriverTests
{
    [Fact]
    public void ADriverThatIgnoresTheFenceFailsFenceRefusesWriters() =>
        AssertFails(new FenceIgnoringDriver(), "Fence.RefusesWriters", "Open (ReadWrite) of a fenced copy did not throw");

    [Fact]
    public void ADriverWhoseStampNeverChangesFailsStampChangesOnWrite() =>
        AssertFails(new FrozenStampDriver(), "Stamp.ChangesOnWrite", "ChangeStamp stayed '1' after write 1");

    [Fact]
    public void ADriverThatAcceptsUnknownSettingsFailsSettingsRefusesUnknown() =>
        AssertFails(new UnknownSettingAcceptingDriver(), "Settings.RefusesUnknown", "did not throw");

    [Fact]
    public void ADriverThatListsSidecarsAsCopiesFailsListCopies() =>
        AssertFails(new SidecarListingDriver(), "Copy.ListCopiesNotSidecars", "lists 3 locations");

    [Fact]
    public void ADriverWithoutTheDocumentedErrorIdFailsErrorsCopyMissing() =>
        AssertFails(new PlainErrorDriver(), "Errors.CopyMissing", "threw FileNotFoundException");

    [Fact]
    public void ADriverThatReplacesSidecarsInPlaceFailsTheCrashPromise() =>
        AssertFails(new InPlaceReplaceDriver(), "Crash.ReplaceOldOrNew", "a reader found");

    private static void AssertFails(IStorageDriver driver, string promise, string detail)
    {
        using var scratch = new ScratchFolder();
        var results = new ConformanceKit(driver, scratch.ChunkFolderSettings()).Run();
        var failed = results.Where(r => !r.Passed).ToList();
        var broken = Assert.Single(failed);
        Assert.Equal(promise, broken.Name);
        Assert.Contains(detail, broken.Detail);
        Assert.Equal(ConformanceKit.PromiseNames.Count, results.Count);
    }
}
