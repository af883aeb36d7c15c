using System;
using System.Collections.Generic;
using System.IO;

namespace Replication.Drivers.Conformance.Tests;

/// <summary>An empty folder of the test's own for a backend's storage, removed afterwards.</summary>
public sealed class ScratchFolder : IDisposable
{
    public ScratchFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "conformance-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>ChunkFolder settings for a backend in a subfolder the driver makes (chunks of 64 KiB, so copies span several).</summary>
    public IReadOnlyDictionary<string, string> ChunkFolderSettings() =>
        new Dictionary<string, string> { ["Folder"] = System.IO.Path.Combine(Path, "backend"), ["ChunkSize"] = "65536" };

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
