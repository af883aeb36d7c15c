using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Replication.Engine.Errors;
using Replication.Engine.Rules;

namespace Replication.Engine.Catalog;

/// <summary>
/// Checks the capabilities an admin declares for a backend: simple names, plain values (text, numbers, booleans, or
/// lists of them), and none of the names the driver or the engine report themselves, so a declaration cannot fake them.
/// </summary>
internal static class DeclaredCapabilities
{
    private const int MaxTextLength = 255;

    private static readonly Regex KeyPattern = new("^[A-Za-z0-9_.-]{1,64}$", RegexOptions.CultureInvariant);

    public static IReadOnlyDictionary<string, object?> Validate(IReadOnlyDictionary<string, object?> declared, IEnumerable<string> reservedKeys)
    {
        var reserved = new HashSet<string>(reservedKeys, StringComparer.OrdinalIgnoreCase);
        var result = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in declared)
        {
            if (!KeyPattern.IsMatch(pair.Key))
            {
                throw Invalid(pair.Key, $"'{Names.Printable(pair.Key)}' is not a valid capability name: use up to 64 letters, digits, '_', '.' or '-'.");
            }

            if (reserved.Contains(pair.Key))
            {
                throw Invalid(pair.Key, $"The capability '{pair.Key}' is reported by the driver or the engine and cannot be declared.");
            }

            result[pair.Key] = Plain(pair.Key, pair.Value);
        }

        return result;
    }

    private static object? Plain(string key, object? value) => value switch
    {
        null => throw Invalid(key, $"The capability '{key}' has no value."),
        bool or int or long or double or decimal => value,
        string text when text.Length <= MaxTextLength && !text.Any(char.IsControl) => text,
        string => throw Invalid(key, $"The value of capability '{key}' is longer than {MaxTextLength} characters or holds control characters."),
        IDictionary => throw Invalid(key, $"The capability '{key}' is a map; declared capabilities are text, numbers, booleans or lists of them."),
        IEnumerable list => list.Cast<object?>().Select(item => item is IEnumerable and not string ? throw Invalid(key, $"The capability '{key}' nests lists.") : Plain(key, item)).ToList(),
        _ => throw Invalid(key, $"The capability '{key}' has a value of type {value.GetType().Name}; use text, a number, a boolean or a list of them."),
    };

    private static ReplicationException Invalid(string key, string message) =>
        new(ErrorIds.InvalidCapability, ErrorKind.InvalidArgument, message, key);
}
