using System;
using System.IO;
using System.Runtime.Versioning;
using Replication.Engine.Errors;
using Replication.Engine.Files;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Trust;

/// <summary>The folder primitive every file of the module goes through: no link followed, modes set on the open file.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class VerifiedFolderTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private VerifiedFolder Folder(FolderTrust? trust = null) => VerifiedFolder.Open(temp.Path, trust ?? FolderTrust.AnyFolder(temp.Path));

    [UnixTheory]
    [InlineData(FileMode.Open)]
    [InlineData(FileMode.OpenOrCreate)]
    [InlineData(FileMode.CreateNew)]
    public void ALinkIsNeverOpened_WhateverTheMode(FileMode mode)
    {
        var outside = new OutsideFile(temp.File("outside"));
        outside.PlantLinkAt(temp.File("name"));
        using var folder = Folder();

        var error = Assert.Throws<ReplicationException>(() => folder.OpenFile("name", mode, FileAccess.ReadWrite, FileShare.None).Dispose());

        Assert.Equal(ErrorIds.LinkRefused, error.ErrorId);
        outside.AssertUntouched();
    }

    [UnixTheory]
    [InlineData(FileMode.OpenOrCreate)]
    [InlineData(FileMode.CreateNew)]
    public void ADanglingLinkMakesNothingAtItsTarget(FileMode mode)
    {
        File.CreateSymbolicLink(temp.File("name"), temp.File("target"));
        using var folder = Folder();

        Assert.Throws<ReplicationException>(() => folder.OpenFile("name", mode, FileAccess.ReadWrite, FileShare.None).Dispose());

        Assert.False(File.Exists(temp.File("target")));
    }

    [UnixFact]
    public void ALinkIsNotRemoved_AndNeitherIsWhatItLeadsTo()
    {
        var outside = new OutsideFile(temp.File("outside"));
        outside.PlantLinkAt(temp.File("name"));
        using var folder = Folder();

        Assert.Equal(ErrorIds.LinkRefused, Assert.Throws<ReplicationException>(() => folder.Delete("name")).ErrorId);

        outside.AssertUntouched();
        Assert.NotNull(new FileInfo(temp.File("name")).LinkTarget);
    }

    [UnixFact]
    public void NewFilesGetTheTrustsModeWhateverTheUmask_AndExistingOnesAreTightened_KeepingAFence()
    {
        File.WriteAllText(temp.File("old"), "x");
        File.SetUnixFileMode(temp.File("old"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.WriteAllText(temp.File("fenced"), "x");
        File.SetUnixFileMode(temp.File("fenced"), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var folder = Folder();

        folder.OpenFile("new", FileMode.CreateNew, FileAccess.Write, FileShare.None).Dispose();
        folder.OpenFile("old", FileMode.Open, FileAccess.Read, FileShare.Read).Dispose();
        folder.OpenFile("fenced", FileMode.Open, FileAccess.Read, FileShare.Read).Dispose();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.File("new")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.File("old")));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(temp.File("fenced")));
    }

    [UnixFact]
    public void SetMode_ChangesTheOpenFile_NotWhateverIsAtItsNameNow()
    {
        File.WriteAllText(temp.File("volume"), "data");
        using var folder = Folder();
        using var file = folder.OpenFile("volume", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        File.Move(temp.File("volume"), temp.File("moved"));
        var outside = new OutsideFile(temp.File("outside"));
        outside.PlantLinkAt(temp.File("volume"));

        VerifiedFolder.SetMode(file, 0x100); // 0400

        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(temp.File("moved")));
        outside.AssertUntouched();
    }

    [UnixFact]
    public void AFileOpenedThroughAFolder_IsNamedByItsPathInMessages()
    {
        using var folder = Folder();
        using var file = folder.OpenFile("volume", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);

        Assert.Equal(temp.File("volume"), VerifiedFolder.PathOf(file));
    }

    [UnixFact]
    public void ExclusiveOpens_ExcludeEachOther_AsNetsOwnFileShareDoes()
    {
        File.WriteAllText(temp.File("bitmap"), "bits");
        using var folder = Folder();
        using var held = folder.OpenFile("bitmap", FileMode.Open, FileAccess.ReadWrite, FileShare.Read);

        Assert.Throws<IOException>(() => folder.OpenFile("bitmap", FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());
        Assert.Throws<IOException>(() => new FileStream(temp.File("bitmap"), FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());
    }

    [UnixFact]
    public void RenameReplacesALinkAtTheNewName_NeverWritesThroughIt()
    {
        var outside = new OutsideFile(temp.File("outside"));
        outside.PlantLinkAt(temp.File("record"));
        File.WriteAllText(temp.File("record.tmp"), "new");
        using var folder = Folder();

        folder.Rename("record.tmp", "record");
        folder.Sync();

        Assert.Equal("new", File.ReadAllText(temp.File("record")));
        Assert.Null(new FileInfo(temp.File("record")).LinkTarget);
        outside.AssertUntouched();
    }

    [UnixFact]
    public void AFolderWritableByOthers_IsNotTrusted_AndSaysWhy()
    {
        var shared = Directory.CreateDirectory(temp.File("shared")).FullName;
        File.SetUnixFileMode(shared, (UnixFileMode)0x1FF); // 0777

        var error = Assert.Throws<ReplicationException>(() => VerifiedFolder.Open(shared, new FolderTrust { What = "the test folder" }).Dispose());

        Assert.Equal(ErrorIds.PathNotTrusted, error.ErrorId);
        Assert.Contains("writable by every user (mode 0777)", error.Message);
    }

    [UnixFact]
    public void Lineage_GivesTheSameIdentityThroughALink_AndNamesEveryFolderAbove()
    {
        var inner = Directory.CreateDirectory(temp.File("a/b")).FullName;
        Directory.CreateSymbolicLink(temp.File("alias"), inner);
        using var real = VerifiedFolder.Open(inner, FolderTrust.AnyFolder(inner));
        using var aliased = VerifiedFolder.Open(temp.File("alias"), FolderTrust.AnyFolder(inner));
        using var top = Folder();

        Assert.Equal(real.Facts.Identity, aliased.Facts.Identity);
        Assert.Contains(top.Facts.Identity, real.Lineage());
        Assert.Equal(real.Lineage(), aliased.Lineage());
    }
}
