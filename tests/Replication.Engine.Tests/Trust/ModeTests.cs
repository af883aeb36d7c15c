using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using Replication.Engine.Errors;
using Replication.Engine.DrTests;
using Replication.Engine.Tests.Export;
using Replication.Engine.Model;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Trust;

/// <summary>
/// Data readable by its owner only: volumes and every file of the module 0600 (a fenced volume 0400), backend folders and
/// .replication 0700; a backend's FileMode and FolderMode settings open volumes to a hypervisor's group and nothing
/// else; a backend an older version made is tightened the next time the module works in it.
/// </summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
[UnsupportedOSPlatform("windows")]
public sealed class ModeTests
{
    private const long Size = 4 * MiB;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = OwnerFile | UnixFileMode.UserExecute;

    /// <summary>Every file and folder under <paramref name="root"/>, relative, with its mode.</summary>
    private static SortedDictionary<string, UnixFileMode> Modes(string root) => new(
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(root, p), p => File.GetUnixFileMode(p)), StringComparer.Ordinal);

    [UnixFact]
    public void AfterTheSeedStory_EveryFileIsTheOwnersOnly_AndEveryFolderToo()
    {
        using var exported = new ExportedSite();
        var site = exported.Site;
        site.CreateVolume("db01", Size);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(Block, 1));
        site.Sync("db01");
        site.Promote("db01", planned: true);
        site.Enable("db01");
        site.Sync("db01");
        site.Engine.DrTests.Run("db01", DrTestOptions.Default, site.Quiet, default);
        site.CreateVolume("db02", Size);
        exported.Export("db02");

        var modes = Modes(site.BackendsRoot);
        Assert.Contains("dc1/.replication/store", modes.Keys);
        Assert.Contains(modes.Keys, k => k.EndsWith(".dirty", StringComparison.Ordinal));
        Assert.Contains(modes.Keys, k => k.EndsWith(".export", StringComparison.Ordinal));
        Assert.All(modes, entry => Assert.True(
            entry.Value == (Directory.Exists(Path.Combine(site.BackendsRoot, entry.Key)) ? OwnerFolder : OwnerFile),
            $"{entry.Key} is {entry.Value}"));
        Assert.Equal(OwnerFolder, File.GetUnixFileMode(site.BackendsRoot + "/dc1"));
        if (site.State is SqliteSiteState sqlite)
        {
            Assert.Equal(OwnerFile, File.GetUnixFileMode(sqlite.Path));
            Assert.Equal(OwnerFolder, File.GetUnixFileMode(Path.GetDirectoryName(sqlite.Path)!));
        }
    }

    [UnixFact]
    public void AFencedVolume_IsReadOnlyForItsOwner_AndForNobodyElse()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("db01", Size);
        site.Sync("db01");
        var oldPrimary = site.PrimaryFile("db01");

        site.Promote("db01", planned: true);

        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(oldPrimary));
        site.Enable("db01");
        Assert.Equal(OwnerFile, File.GetUnixFileMode(oldPrimary));
    }

    [UnixFact]
    public void FileModeAndFolderModeSettings_OpenVolumesToTheGroup_AndTheModulesOwnFilesStayPrivate()
    {
        using var site = new EngineSite();
        var setting = new Dictionary<string, object?> { ["FileMode"] = "0660", ["FolderMode"] = "0770" };
        foreach (var (name, partner) in new[] { ("dc1", "dc2"), ("dc2", "dc1") })
        {
            site.Engine.Backends.Add(new Catalog.BackendDefinition { Name = name, Driver = "LocalFile", Path = site.FolderOf(name), ReplicationPartner = partner, Settings = setting }, site.Quiet);
        }

        site.AddReplicatedType();
        site.CreateVolume("db01", Size);
        site.Sync("db01");
        var group = OwnerFile | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

        Assert.Equal(new Dictionary<string, string> { ["FileMode"] = "0660", ["FolderMode"] = "0770" }, site.Engine.Backends.Get("dc1").Settings);
        Assert.Equal(group, File.GetUnixFileMode(site.PrimaryFile("db01")));
        Assert.Equal(group, File.GetUnixFileMode(site.ReplicaFile("db01")));
        Assert.Equal(OwnerFolder | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute, File.GetUnixFileMode(site.FolderOf("dc1")));
        Assert.Equal(OwnerFolder, File.GetUnixFileMode(Path.Combine(site.FolderOf("dc1"), ".replication")));
        Assert.Equal(OwnerFile, File.GetUnixFileMode(Path.Combine(site.FolderOf("dc1"), ".replication", "store")));
        var oldPrimary = site.PrimaryFile("db01");
        site.Promote("db01", planned: true);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead, File.GetUnixFileMode(oldPrimary));
    }

    [UnixTheory]
    [InlineData("FileMode", "0644", "is not allowed")]
    [InlineData("FileMode", "0666", "is not allowed")]
    [InlineData("FolderMode", "0777", "is not allowed")]
    [InlineData("FileMode", "rw-rw----", "is not a permission in octal")]
    [InlineData("Owner", "root", "is not a setting of the LocalFile driver")]
    public void ASettingTheDriverRefuses_IsInvalidSetting_AndMakesNoFolder(string key, string value, string why)
    {
        using var site = new EngineSite();

        var error = Refused(ErrorIds.InvalidSetting, () => site.Engine.Backends.Add(new Catalog.BackendDefinition
        {
            Name = "dc1", Driver = "LocalFile", Path = site.FolderOf("dc1"), Settings = new Dictionary<string, object?> { [key] = value },
        }, site.Quiet));

        Assert.Contains(why, error.Message);
        Assert.False(Directory.Exists(site.FolderOf("dc1")));
        Assert.Empty(site.Engine.Backends.List());
    }

    [UnixFact]
    public void AGroupFileModeWithAFolderTheGroupCannotEnter_IsRefused()
    {
        using var site = new EngineSite();

        var error = Refused(ErrorIds.InvalidSetting, () => site.Engine.Backends.Add(new Catalog.BackendDefinition
        {
            Name = "dc1", Driver = "LocalFile", Path = site.FolderOf("dc1"), Settings = new Dictionary<string, object?> { ["FileMode"] = "0660" },
        }, site.Quiet));

        Assert.Contains("keeps the group out", error.Message);
    }

    [UnixFact]
    public void ABackendAnOlderVersionMade_IsTightenedAndMarked_TheNextTimeTheModuleWorksInIt()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("db01", Size);
        site.Sync("db01");
        // As version 0.1 left it: folders 0755, volumes 0644, no mark.
        var readable = OwnerFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        foreach (var backend in new[] { "dc1", "dc2" })
        {
            File.SetUnixFileMode(site.FolderOf(backend), readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            File.SetUnixFileMode(Path.Combine(site.FolderOf(backend), ".replication"), readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            File.Delete(Path.Combine(site.FolderOf(backend), ".replication", "store"));
        }

        File.SetUnixFileMode(site.PrimaryFile("db01"), readable);
        File.SetUnixFileMode(site.ReplicaFile("db01"), readable);
        WriteAt(site.PrimaryFile("db01"), 0, RandomBytes(Block, 2));

        site.Sync("db01");

        foreach (var backend in new[] { "dc1", "dc2" })
        {
            Assert.Equal(OwnerFolder, File.GetUnixFileMode(site.FolderOf(backend)));
            Assert.Equal(OwnerFolder, File.GetUnixFileMode(Path.Combine(site.FolderOf(backend), ".replication")));
            Assert.True(File.Exists(Path.Combine(site.FolderOf(backend), ".replication", "store")), $"{backend} was not marked");
        }

        Assert.Equal(OwnerFile, File.GetUnixFileMode(site.PrimaryFile("db01")));
        Assert.Equal(OwnerFile, File.GetUnixFileMode(site.ReplicaFile("db01")));
    }

    [UnixFact]
    public void ABackendFolderItsGroupCanWrite_IsRefusedWithTheReason_UnlessFolderModeGrantsIt()
    {
        using var site = new EngineSite().WithPairAndReplicatedType();
        site.CreateVolume("db01", Size);
        File.SetUnixFileMode(site.FolderOf("dc2"), OwnerFolder | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute);

        var error = Refused(ErrorIds.PathNotTrusted, () => site.Sync("db01"));

        Assert.Contains("writable by its group (mode 0770)", error.Message);
        Assert.Contains("FolderMode", error.Message);
    }
}
