using System.Text.RegularExpressions;
using Replication.Engine.Errors;

namespace Replication.Engine.Rules;

/// <summary>
/// What a backend, volume type or volume may be called: letters, digits, '.', '_' and '-', starting with a letter or
/// digit, at most 64 characters. No path separators, wildcards or control characters can reach a file name or a prompt.
/// </summary>
public static class Names
{
    public const int MaxLength = 64;

    private static readonly Regex Allowed = new("^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant);

    public static void Validate(string kind, string? name)
    {
        if (name is null || name.Length == 0 || name.Length > MaxLength || !Allowed.IsMatch(name))
        {
            var shown = name is null ? "(none)" : Printable(name);
            throw new ReplicationException(ErrorIds.InvalidName, ErrorKind.InvalidArgument,
                $"'{shown}' is not a valid {kind} name: use 1 to {MaxLength} letters, digits, '.', '_' or '-', starting with a letter or digit.", name);
        }
    }

    /// <summary>The name with control characters escaped and cut to a readable length, safe to show in a message.</summary>
    public static string Printable(string text)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var c in text.Length > 80 ? text.Substring(0, 80) + "..." : text)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return builder.ToString();
    }
}
