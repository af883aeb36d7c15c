using System;
using System.IO;

namespace Replication.PowerShell.Tests;

/// <summary>The sample ChunkFolder driver's assembly in its own build output, for the driver cmdlets' tests.</summary>
public static class SampleDriver
{
    /// <summary>How a test script names the path.</summary>
    public const string Expression = "([Replication.PowerShell.Tests.SampleDriver]::Path)";

    public static int PromiseCount => global::Replication.Drivers.Conformance.ConformanceKit.PromiseNames.Count;

    public static string Path
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar));
            var configuration = testOutput.Parent!.Name;
            return System.IO.Path.Combine(CmdletHost.RepoRoot, "samples", "ChunkFolderDriver", "bin", configuration, "netstandard2.0", "ChunkFolderDriver.dll");
        }
    }
}
