using System;
using System.Globalization;
using System.IO;
using System.Runtime.Versioning;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Trust;

/// <summary>
/// A file outside every backend folder, as an attacker's link would point at one: its content, mode and modification
/// time are recorded, so a test can prove nothing wrote, chmod-ed, moved or removed it through a link.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class OutsideFile
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly string _before;

    public OutsideFile(string path, int size = 4096)
    {
        Path = path;
        File.WriteAllBytes(path, EngineSite.RandomBytes(size, 77));
        File.SetUnixFileMode(path, Mode);
        File.SetLastWriteTimeUtc(path, new DateTime(2029, 6, 1, 12, 0, 0, DateTimeKind.Utc));
        _before = Describe();
    }

    public string Path { get; }

    /// <summary>Replaces whatever is at <paramref name="linkPath"/> with a symbolic link to this file.</summary>
    public string PlantLinkAt(string linkPath)
    {
        File.Delete(linkPath);
        File.CreateSymbolicLink(linkPath, Path);
        return linkPath;
    }

    public void AssertUntouched() => Assert.Equal(_before, Describe());

    private string Describe()
    {
        var info = new FileInfo(Path);
        return info.Exists
            ? string.Create(CultureInfo.InvariantCulture, $"{info.Length} bytes, mode {File.GetUnixFileMode(Path)}, written {info.LastWriteTimeUtc:O}, sha256 {EngineSite.Sha256(Path)}")
            : "gone";
    }
}
