using System;
using System.IO;

namespace Replication.Engine.State;

/// <summary>
/// Where the state is when nobody says otherwise: REPLICATION_POWERSHELL_STATE (a file path or a PostgreSQL connection
/// string), else a file in a per-user data folder.
/// </summary>
public static class StateLocation
{
    public const string EnvironmentVariable = "REPLICATION_POWERSHELL_STATE";

    public static StateAddress Default()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return StateAddress.Parse(fromEnvironment);
        }

        // LocalApplicationData is %LOCALAPPDATA% on Windows and $XDG_DATA_HOME or ~/.local/share elsewhere.
        var dataFolder = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(dataFolder))
        {
            dataFolder = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return StateAddress.File(Path.Combine(dataFolder, "Replication.PowerShell", "state.db"));
    }
}
