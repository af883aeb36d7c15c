using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Security.Cryptography;
using Replication.PowerShell.Commands;

namespace Replication.PowerShell.Tests;

/// <summary>What one invocation produced: the objects, the non-terminating errors, and the terminating error, if any.</summary>
public sealed record InvocationResult(IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, RuntimeException? Terminating, IReadOnlyList<string> Verbose, IReadOnlyList<ProgressRecord> Progress)
{
    public IReadOnlyList<object> Objects => Output.Select(o => o.BaseObject).ToList();

    public void AssertNoErrors()
    {
        Assert.True(Terminating is null, $"Unexpected terminating error: {Terminating?.ErrorRecord?.FullyQualifiedErrorId}: {Terminating?.Message}");
        Assert.True(Errors.Count == 0, "Unexpected errors: " + string.Join(" | ", Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e.Exception.Message}")));
    }
}

/// <summary>
/// The module's cmdlets hosted in-process: a runspace from InitialSessionState.CreateDefault2() with every cmdlet of the
/// assembly and the module's format and type files, pointed at its own temporary state file and backend folders.
/// </summary>
public sealed class CmdletHost : IDisposable
{
    public static readonly string RepoRoot = FindRepoRoot();

    public static readonly Assembly ModuleAssembly = typeof(NewVolumeCommand).Assembly;

    public static readonly IReadOnlyList<Type> CmdletTypes = ModuleAssembly.GetTypes()
        .Where(t => t.GetCustomAttribute<CmdletAttribute>() is not null && typeof(Cmdlet).IsAssignableFrom(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    private readonly Runspace _runspace;

    static CmdletHost()
    {
        // No test may reach the user's real state file, even one that forgets Set-ReplicationStateStore.
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("REPLICATION_POWERSHELL_STATE")))
        {
            Environment.SetEnvironmentVariable("REPLICATION_POWERSHELL_STATE",
                Path.Combine(Path.GetTempPath(), $"rp-xunit-guard-{Environment.ProcessId}.db"));
        }
    }

    public CmdletHost()
    {
        Root = Path.Combine(Path.GetTempPath(), "rp-xunit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        StatePath = Path.Combine(Root, "state.db");
        Dc1 = Path.Combine(Root, "dc1");
        Dc2 = Path.Combine(Root, "dc2");
        var shell = System.Management.Automation.PowerShell.Create(CreateSessionState());
        _runspace = shell.Runspace;
        shell.Dispose();
        Script("Set-ReplicationStateStore -Path $args[0]", StatePath).AssertNoErrors();
    }

    public string Root { get; }

    public string StatePath { get; }

    public string Dc1 { get; }

    public string Dc2 { get; }

    public static string CmdletName(Type type)
    {
        var attribute = type.GetCustomAttribute<CmdletAttribute>()!;
        return $"{attribute.VerbName}-{attribute.NounName}";
    }

    public static InitialSessionState CreateSessionState()
    {
        var iss = InitialSessionState.CreateDefault2();
        foreach (var type in CmdletTypes)
        {
            iss.Commands.Add(new SessionStateCmdletEntry(CmdletName(type), type, null));
        }

        iss.Formats.Add(new SessionStateFormatEntry(Path.Combine(RepoRoot, "module", "Replication.PowerShell.Format.ps1xml")));
        iss.Formats.Add(new SessionStateFormatEntry(Path.Combine(RepoRoot, "module", "Replication.PowerShell.Health.Format.ps1xml")));
        iss.Formats.Add(new SessionStateFormatEntry(Path.Combine(RepoRoot, "module", "Replication.PowerShell.Drivers.Format.ps1xml")));
        iss.Types.Add(new SessionStateTypeEntry(Path.Combine(RepoRoot, "module", "Replication.PowerShell.Types.ps1xml")));
        return iss;
    }

    /// <summary>Runs PowerShell script text; $args holds <paramref name="arguments"/>.</summary>
    public InvocationResult Script(string script, params object?[] arguments)
    {
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        foreach (var argument in arguments)
        {
            shell.AddArgument(argument);
        }

        return Run(shell, null);
    }

    /// <summary>Runs one cmdlet with named parameters and, optionally, pipeline input.</summary>
    public InvocationResult Command(string name, IDictionary? parameters = null, IEnumerable? input = null)
    {
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddCommand(name);
        if (parameters is not null)
        {
            shell.AddParameters(parameters);
        }

        return Run(shell, input);
    }

    /// <summary>dc1 and dc2, each the other's replication partner; types 'replicated' and 'plain'.</summary>
    public void AddStory()
    {
        Script(@"
            New-StorageBackend -Name dc1 -Driver LocalFile -Path $args[0] -ReplicationPartner dc2 | Out-Null
            New-StorageBackend -Name dc2 -Driver LocalFile -Path $args[1] -ReplicationPartner dc1 | Out-Null
            New-ReplicatedVolumeType -Name replicated | Out-Null
            New-VolumeType -Name plain | Out-Null", Dc1, Dc2).AssertNoErrors();
    }

    public void NewVolume(string name, string volumeType = "replicated") =>
        Script("New-Volume -Name $args[0] -SizeBytes 64MB -VolumeType $args[1] | Out-Null", name, volumeType).AssertNoErrors();

    public string ConnectionPath(string volumeName)
    {
        var result = Script("(Get-VolumeConnection -Name $args[0]).Path", volumeName);
        result.AssertNoErrors();
        return (string)result.Objects.Single();
    }

    /// <summary>Writes bytes into a volume file the way any program would.</summary>
    public static void WriteBytes(string path, long offset, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        stream.Position = offset;
        stream.Write(bytes, 0, bytes.Length);
        stream.Flush(true);
    }

    public static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Everything an operation could change: what the Get- cmdlets report and every file under the backend folders.</summary>
    public string Snapshot()
    {
        var state = Script(@"
            Get-StorageBackend | ForEach-Object { 'backend {0} {1} {2}' -f $_.Name, $_.Path, $_.ReplicationPartner }
            Get-VolumeType | ForEach-Object { 'type {0} {1}' -f $_.Name, (($_.ExtraSpecs.GetEnumerator() | Sort-Object Key | ForEach-Object { $_.Key + '=' + $_.Value }) -join ';') }
            Get-Volume | ForEach-Object { 'volume {0} {1} {2} {3} {4} {5} {6}' -f $_.Name, $_.Status, $_.Backend, $_.ReplicaBackend, $_.ReplicationStatus, $_.VolumeType, $_.SourceReplica }
            Get-VolumeReplica | ForEach-Object { 'replica {0} {1} {2} {3} {4} {5} {6} {7}' -f $_.VolumeName, $_.PrimaryBackend, $_.ReplicaBackend, $_.Status, $_.SyncGeneration, $_.ReplicaFenced, $_.LastSyncTime.Ticks, $_.ExtendedStatus }
            'events ' + @(Get-ReplicationEvent).Count
            'store ' + (Get-ReplicationStateStore).Path");
        state.AssertNoErrors();
        var lines = state.Objects.Select(o => o.ToString()!).ToList();
        foreach (var file in Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
        {
            if (Path.GetFileName(file).StartsWith("state.db", StringComparison.Ordinal))
            {
                continue;
            }

            if (Directory.Exists(file))
            {
                lines.Add("folder " + file);
                continue;
            }

            var info = new FileInfo(file);
            lines.Add($"file {file} {info.Length} {info.IsReadOnly} {Hash(file)}");
        }

        return string.Join("\n", lines);
    }

    public static string Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    public void Dispose()
    {
        _runspace.Dispose();
        if (Directory.Exists(Root))
        {
            foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(Root, recursive: true);
        }
    }

    private static InvocationResult Run(System.Management.Automation.PowerShell shell, IEnumerable? input)
    {
        Collection<PSObject> output;
        RuntimeException? terminating = null;
        try
        {
            output = input is null ? shell.Invoke() : shell.Invoke(input);
        }
        catch (RuntimeException ex)
        {
            output = new Collection<PSObject>();
            terminating = ex;
        }

        return new InvocationResult(output.Where(o => o is not null).ToList(), shell.Streams.Error.ToList(), terminating,
            shell.Streams.Verbose.Select(v => v.Message).ToList(), shell.Streams.Progress.ToList());
    }

    private static string FindRepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Replication.PowerShell.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Replication.PowerShell.sln above {AppContext.BaseDirectory}.");
    }
}
