using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;

namespace Replication.PowerShell.Tests;

/// <summary>
/// Every PowerShell script in the repository parses: the benchmark, the build, the examples and the test scripts are
/// run by people and schedulers rarely enough that a broken quote would otherwise be found by the next admin.
/// </summary>
public sealed class ScriptSyntaxTests
{
    private static readonly string[] Skipped = { "bin", "obj", "out", ".git", "node_modules" };

    public static IEnumerable<object[]> Scripts =>
        ScriptFiles(CmdletHost.RepoRoot).Select(path => new object[] { Path.GetRelativePath(CmdletHost.RepoRoot, path) });

    [Fact]
    public void The_repository_has_scripts_to_check()
    {
        var scripts = Scripts.Select(s => (string)s[0]).ToList();
        Assert.Contains(Path.Combine("bench", "Invoke-Benchmarks.ps1"), scripts);
        Assert.Contains("build.ps1", scripts);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_parses(string relativePath)
    {
        Parser.ParseFile(Path.Combine(CmdletHost.RepoRoot, relativePath), out _, out var errors);
        Assert.True(errors.Length == 0,
            $"{relativePath}: " + string.Join("; ", errors.Select(e => $"line {e.Extent.StartLineNumber}: {e.Message}")));
    }

    private static IEnumerable<string> ScriptFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".psm1", StringComparison.OrdinalIgnoreCase)))
        {
            yield return file;
        }

        foreach (var sub in Directory.EnumerateDirectories(folder).Where(d => !Skipped.Contains(Path.GetFileName(d))))
        {
            foreach (var file in ScriptFiles(sub))
            {
                yield return file;
            }
        }
    }
}
