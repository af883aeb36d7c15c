using System;
using System.IO;

namespace Replication.Agent.Tests;

/// <summary>The agent's configuration is trusted as a key file is: a configuration others could change is refused, and the agent does not start.</summary>
public sealed class ConfigFileTrustTests : IClassFixture<AgentLab>
{
    private readonly AgentLab _lab;

    public ConfigFileTrustTests(AgentLab lab) => _lab = lab;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AConfigurationOthersCanWriteIsRefused()
    {
        var config = CopyOfTheConfiguration("group-writable.json");
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);

        var (exitCode, output) = AgentProcess.RunToExit(config);

        Assert.Equal(3, exitCode);
        Assert.Contains("can be written by others (mode 0660)", output);
    }

    [Fact]
    public void AConfigurationReachedThroughALinkIsRefused()
    {
        var link = Path.Combine(_lab.Folder, "linked-agent.json");
        File.CreateSymbolicLink(link, CopyOfTheConfiguration("linked-target.json"));

        var (exitCode, output) = AgentProcess.RunToExit(link);

        Assert.Equal(3, exitCode);
        Assert.Contains("is a link", output);
    }

    // Beside the lab's own, so its relative paths (none: they are absolute) and its keys are the same.
    private string CopyOfTheConfiguration(string name)
    {
        var config = Path.Combine(_lab.Folder, name);
        File.WriteAllText(config, File.ReadAllText(_lab.A.ConfigPath));
        return config;
    }
}
