using System;
using System.IO;

namespace Replication.Agent;

/// <summary>A private key file must be a regular file (not a link) that only its owner can read.</summary>
internal static class KeyFile
{
    private const UnixFileMode OthersOrGroup = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static void RequirePrivate(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new AgentConfigurationException($"the key file '{path}' is not there.");
        }

        if (info.LinkTarget is not null)
        {
            throw new AgentConfigurationException($"the key file '{path}' is a link; give the file itself.");
        }

        if (!OperatingSystem.IsWindows() && (info.UnixFileMode & OthersOrGroup) != 0)
        {
            throw new AgentConfigurationException($"the key file '{path}' can be read by others (mode {Convert.ToString((int)info.UnixFileMode, 8)}); make it 0600.");
        }
    }
}
