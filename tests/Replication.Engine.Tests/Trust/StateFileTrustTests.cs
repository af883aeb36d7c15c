using System;
using System.IO;
using System.Runtime.Versioning;
using Replication.Engine.Errors;
using Replication.Engine.Files;
using Replication.Engine.Tests.Preflight;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Trust;

/// <summary>
/// A state file is used only if the user running the module (or root) owns it and nobody else can write it or its
/// folder; it is never opened through a link; an empty one the module did not make is refused; a new one is made
/// by the module itself, 0600, in a 0700 folder. Root runs these tests: files are handed to uid 65534 with chown.
/// </summary>
[UnsupportedOSPlatform("windows")]
[Trait("Store", "Specific")]
public sealed class StateFileTrustTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A state file with a backend in it, as a previous run of the module left it.</summary>
    private string ExistingStateFile()
    {
        var path = temp.File("state.db");
        ReplicationEngine.OpenSqlite(path).Backends.Add(new Catalog.BackendDefinition { Name = "dc1", Driver = "LocalFile", Path = temp.File("dc1") }, SilentObserver.Instance);
        return path;
    }

    private static string Describe(string path) => $"{new FileInfo(path).Length} {File.GetUnixFileMode(path)} {Native.Run("stat", "-c", "%u", path).Trim()} {Sha256(path)}";

    [UnixFact]
    public void AStateFileOwnedByAnotherUser_IsRefused_AndLeftAsItWas_UnlessTheOwnerIsTrusted()
    {
        var path = ExistingStateFile();
        Native.Run("chown", "65534", path);
        var before = Describe(path);

        var error = Refused(ErrorIds.StateStoreUntrusted, () => ReplicationEngine.OpenSqlite(path));

        Assert.Contains("owned by uid 65534", error.Message);
        Assert.Contains(TrustedOwners.EnvironmentVariable, error.Message);
        Assert.Equal(before, Describe(path));

        Environment.SetEnvironmentVariable(TrustedOwners.EnvironmentVariable, "nobody");
        try
        {
            Assert.Single(ReplicationEngine.OpenSqlite(path).Backends.List());
        }
        finally
        {
            Environment.SetEnvironmentVariable(TrustedOwners.EnvironmentVariable, null);
        }
    }

    [UnixTheory]
    [InlineData(0x1B6, "writable by other users (mode 0666)")] // 0666
    [InlineData(0x190, "writable by other users (mode 0620)")] // 0620: the group may write
    public void AStateFileOthersCanWrite_IsRefused(int mode, string why)
    {
        var path = ExistingStateFile();
        File.SetUnixFileMode(path, (UnixFileMode)mode);
        var before = Describe(path);

        var error = Refused(ErrorIds.StateStoreUntrusted, () => ReplicationEngine.OpenSqlite(path));

        Assert.Contains(why, error.Message);
        Assert.Equal(before, Describe(path));
    }

    [UnixFact]
    public void AStateFolderOthersCanWrite_IsRefused_AndNoStateFileIsMadeInIt()
    {
        var folder = Directory.CreateDirectory(temp.File("shared")).FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)0x3FF); // 1777, as /tmp

        var error = Refused(ErrorIds.StateStoreUntrusted, () => ReplicationEngine.OpenSqlite(Path.Combine(folder, "state.db")));

        Assert.Contains("writable by every user", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [UnixFact]
    public void ADanglingLinkAsTheStatePath_IsRefused_AndNothingIsMadeAtItsTarget()
    {
        var path = temp.File("state.db");
        File.CreateSymbolicLink(path, temp.File("target.db"));

        var error = Refused(ErrorIds.StateStoreUntrusted, () => ReplicationEngine.OpenSqlite(path));

        Assert.Contains("link", error.Message);
        Assert.False(File.Exists(temp.File("target.db")));
    }

    [UnixFact]
    public void ALinkToAStateFile_IsRefused_AndTheFileIsLeftAsItWas()
    {
        var real = ExistingStateFile();
        var before = Describe(real);
        File.CreateSymbolicLink(temp.File("alias.db"), real);

        Refused(ErrorIds.StateStoreUntrusted, () => ReplicationEngine.OpenSqlite(temp.File("alias.db")));

        Assert.Equal(before, Describe(real));
    }

    [UnixFact]
    public void AnEmptyStateFileTheModuleDidNotMake_IsRefused()
    {
        var path = temp.File("state.db");
        File.WriteAllBytes(path, Array.Empty<byte>());
        File.SetUnixFileMode(path, OwnerReadWrite);

        var error = Refused(ErrorIds.StateStoreUntrusted, () => ReplicationEngine.OpenSqlite(path));

        Assert.Contains("empty", error.Message);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [UnixFact]
    public void ANewStateFile_IsMadeByTheModule_0600_InA0700Folder()
    {
        var path = Path.Combine(temp.Path, "new", "state.db");

        ReplicationEngine.OpenSqlite(path);

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }

    [UnixFact]
    public void AStateFileOfAnOlderVersionThatOthersCouldRead_IsUsed_AndLeftReadableByItsOwnerOnly()
    {
        var path = ExistingStateFile();
        var readableByAll = OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(path, readableByAll);
        File.SetUnixFileMode(path + "-wal", readableByAll);

        Assert.Single(ReplicationEngine.OpenSqlite(path).Backends.List());

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path + "-wal"));
    }
}
