using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;

namespace Replication.Drivers.Conformance.Tests;

/// <summary>Keeps the fence in memory only: IsFenced says true, yet a writer opens the fenced copy.</summary>
public sealed class FenceIgnoringDriver : DelegatingDriver
{
    private readonly HashSet<string> _fenced = new();

    public override void SetFence(BackendConfiguration backend, string location, bool fenced)
    {
        if (fenced && Inner.CopyLength(backend, location) is null)
        {
            throw new StorageDriverException(DriverErrorIds.CopyMissing, "missing");
        }

        if (fenced)
        {
            _fenced.Add(location);
        }
        else
        {
            _fenced.Remove(location);
        }
    }

    public override bool? IsFenced(BackendConfiguration backend, string location) =>
        Inner.CopyLength(backend, location) is null ? null : _fenced.Contains(location);
}

/// <summary>A change stamp that never changes while the copy exists.</summary>
public sealed class FrozenStampDriver : DelegatingDriver
{
    public override string? ChangeStamp(BackendConfiguration backend, string location) =>
        Inner.ChangeStamp(backend, location) is null ? null : "1";
}

/// <summary>Accepts settings it does not know (and drops them), as a careless driver does.</summary>
public sealed class UnknownSettingAcceptingDriver : DelegatingDriver
{
    public override IReadOnlyDictionary<string, string> ValidateSettings(IReadOnlyDictionary<string, string> settings) =>
        Inner.ValidateSettings(settings.Where(s => s.Key is "Folder" or "ChunkSize").ToDictionary(s => s.Key, s => s.Value));
}

/// <summary>Lists the sidecars' names among the copies.</summary>
public sealed class SidecarListingDriver : DelegatingDriver
{
    public override IReadOnlyList<string> ListCopies(BackendConfiguration backend) =>
        Inner.ListCopies(backend).Concat(Inner.Sidecars(backend).List("")).ToList();
}

/// <summary>Opening a missing copy throws the file system's error instead of CopyMissing.</summary>
public sealed class PlainErrorDriver : DelegatingDriver
{
    public override IBlockDevice Open(BackendConfiguration backend, string location, DeviceAccess access) =>
        Inner.CopyLength(backend, location) is null ? throw new FileNotFoundException(location) : Inner.Open(backend, location, access);
}

/// <summary>Replaces a sidecar in place, in two halves: a crash between them leaves it half written.</summary>
public sealed class InPlaceReplaceDriver : DelegatingDriver
{
    public override ISidecarStore Sidecars(BackendConfiguration backend) =>
        new InPlaceStore(Inner.Sidecars(backend), Path.Combine(backend.Settings["Folder"], "sidecars"));

    private sealed class InPlaceStore : ISidecarStore
    {
        private readonly ISidecarStore _inner;
        private readonly string _folder;

        public InPlaceStore(ISidecarStore inner, string folder)
        {
            _inner = inner;
            _folder = folder;
        }

        public byte[]? Read(string name) => _inner.Read(name);

        public void Replace(string name, byte[] content)
        {
            using var stream = new FileStream(Path.Combine(_folder, name), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
            stream.SetLength(0);
            stream.Write(content, 0, content.Length / 2);
            stream.Flush();
            Thread.Sleep(5);
            stream.Write(content, content.Length / 2, content.Length - (content.Length / 2));
        }

        public void Delete(string name) => _inner.Delete(name);

        public IReadOnlyList<string> List(string prefix) => _inner.List(prefix);

        public Stream Open(string name, SidecarAccess access) => _inner.Open(name, access);
    }
}
