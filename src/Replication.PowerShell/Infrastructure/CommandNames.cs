using System;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// The engine's messages name this module's commands as written (Sync-VolumeReplica -Group 'app'), knowing nothing of
/// PowerShell. A session that imported the module with a prefix (Import-Module Replication.PowerShell -Prefix DR, next to
/// Windows' Storage module, which has its own Get-Volume) calls them Sync-DRVolumeReplica: a message shown there is
/// rewritten to the names the session uses.
/// </summary>
internal sealed class CommandNames
{
    /// <summary>Every Verb-Noun of the module, longest first, so Get-VolumeReplica is never read as Get-Volume.</summary>
    private static readonly Regex Pattern = new(
        @"(?<![\w-])(" + string.Join("|", typeof(CommandNames).Assembly.GetTypes()
            .Select(type => type.GetCustomAttributes(typeof(CmdletAttribute), inherit: false).OfType<CmdletAttribute>().FirstOrDefault())
            .Where(cmdlet => cmdlet is not null)
            .Select(cmdlet => $"{cmdlet!.VerbName}-{cmdlet.NounName}")
            .OrderByDescending(name => name.Length)
            .Select(Regex.Escape)) + @")(?![\w-])",
        RegexOptions.CultureInvariant);

    private readonly string _prefix;

    private CommandNames(string prefix) => _prefix = prefix;

    /// <summary>The names as <paramref name="cmdlet"/>'s session knows them: its prefix is what its name has before its own noun.</summary>
    public static CommandNames For(PSCmdlet cmdlet)
    {
        var declared = (CmdletAttribute?)Attribute.GetCustomAttribute(cmdlet.GetType(), typeof(CmdletAttribute));
        var noun = (cmdlet.MyInvocation?.MyCommand as CmdletInfo)?.Noun;
        return new CommandNames(declared is not null && noun is not null && noun.Length > declared.NounName.Length
            && noun.EndsWith(declared.NounName, StringComparison.OrdinalIgnoreCase)
                ? noun.Substring(0, noun.Length - declared.NounName.Length)
                : "");
    }

    /// <summary><paramref name="text"/> with each of the module's command names as this session calls it.</summary>
    public string Render(string text) =>
        _prefix.Length == 0 ? text : Pattern.Replace(text, match =>
        {
            var dash = match.Value.IndexOf('-');
            return match.Value.Substring(0, dash + 1) + _prefix + match.Value.Substring(dash + 1);
        });
}
