using System.Reflection.PortableExecutable;

namespace Replication.ModuleClosure;

/// <summary>
/// SQLite's native library for each architecture Windows PowerShell runs on, where the module's NativeLibraryResolver
/// looks for it (runtimes/win-&lt;arch&gt;/native/e_sqlite3.dll): present, and a PE image for that machine.
/// </summary>
internal static class WindowsNativeLibraries
{
    private static readonly (string Rid, Machine Machine)[] Architectures =
    {
        ("win-x64", Machine.Amd64),
        ("win-x86", Machine.I386),
        ("win-arm64", Machine.Arm64),
    };

    public static IEnumerable<string> Problems(string moduleFolder)
    {
        foreach (var (rid, machine) in Architectures)
        {
            var relative = $"runtimes/{rid}/native/e_sqlite3.dll";
            var path = Path.Combine(moduleFolder, relative);
            if (!File.Exists(path))
            {
                yield return $"{relative} is missing: Windows PowerShell on {rid} could open no SQLite state file";
                continue;
            }

            var found = MachineOf(path);
            if (found != machine)
            {
                yield return found is null ? $"{relative} is not a PE image" : $"{relative} is built for {found}, not {machine}";
            }
        }
    }

    private static Machine? MachineOf(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        try
        {
            return pe.PEHeaders.CoffHeader.Machine;
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }

    public static int Count => Architectures.Length;
}
