using System;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Replication.Engine.Drivers.Loading;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// Reads the engine's vault: secret references with Microsoft.PowerShell.SecretManagement's Get-Secret -AsPlainText. On
/// a pipeline thread it runs in the caller's own session (a nested pipeline), so the vaults registered and unlocked
/// there are used; engine work on another thread gets a runspace of its own, which finds the same modules and
/// registered vaults on disk. The value goes to the driver only: nothing here writes it anywhere.
/// </summary>
internal static class SecretManagementVault
{
    private const string GetSecret = "Microsoft.PowerShell.SecretManagement\\Get-Secret";

    public static void Register() => SecretReferences.VaultReader = Read;

    private static string Read(string? vault, string name)
    {
        if (Runspace.DefaultRunspace is not null)
        {
            try
            {
                using var nested = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
                return Read(nested, vault, name);
            }
            catch (PSInvalidOperationException)
            {
                // The session cannot run a nested pipeline now: read in a runspace of its own.
            }
        }

        using var own = System.Management.Automation.PowerShell.Create();
        return Read(own, vault, name);
    }

    private static string Read(System.Management.Automation.PowerShell shell, string? vault, string name)
    {
        shell.AddCommand(GetSecret).AddParameter("Name", name).AddParameter("AsPlainText").AddParameter("ErrorAction", ActionPreference.Stop);
        if (vault is not null)
        {
            shell.AddParameter("Vault", vault);
        }

        Collection<PSObject> results;
        try
        {
            results = shell.Invoke();
        }
        catch (CommandNotFoundException)
        {
            throw new InvalidOperationException("the Microsoft.PowerShell.SecretManagement module is not installed (Install-PSResource Microsoft.PowerShell.SecretManagement)");
        }
        catch (ActionPreferenceStopException ex)
        {
            throw new InvalidOperationException(ex.ErrorRecord?.Exception?.Message ?? ex.Message, ex);
        }
        catch (RuntimeException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }

        if (shell.Streams.Error.Count > 0)
        {
            throw new InvalidOperationException(shell.Streams.Error[0].Exception.Message);
        }

        return results.Count == 1 && results[0]?.BaseObject is string text
            ? text
            : throw new InvalidOperationException(results.Count == 1 ? $"the secret is a {results[0]?.BaseObject?.GetType().Name}, not text" : $"Get-Secret gave {results.Count} objects, not one text");
    }
}
