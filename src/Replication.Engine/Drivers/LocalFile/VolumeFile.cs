using System.IO;
using Replication.Engine.Files;
using Replication.Engine.State;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// A volume file of a LocalFile backend: its name in the backend's folder, opened only through that folder once it is
/// checked and never through a link. It reads as its full path (messages, the path a hypervisor attaches).
/// </summary>
internal sealed class VolumeFile
{
    public VolumeFile(BackendRecord backend, string name)
    {
        Backend = backend;
        Name = name;
        FullPath = Path.Combine(LocalFileLayout.BackendFolder(backend), name);
    }

    public BackendRecord Backend { get; }

    public string Name { get; }

    public string FullPath { get; }

    public static implicit operator string(VolumeFile file) => file.FullPath;

    public FileStream Open(FileMode mode, FileAccess access, FileShare share, int bufferSize = 1)
    {
        using var folder = BackendFolder.Open(Backend);
        return folder.Root.OpenFile(Name, mode, access, share, bufferSize);
    }

    /// <summary>What is at the file's name (the entry itself if it is a link); null when nothing is.</summary>
    public FileFacts? Look()
    {
        using var folder = BackendFolder.Open(Backend);
        return folder.Root.Look(Name);
    }

    public override string ToString() => FullPath;
}
