using System.Linq;

namespace Replication.Engine.Capabilities;

/// <summary>Reads boolean words the way oslo.utils' <c>strutils.bool_from_string</c> does, which Cinder's "&lt;is&gt;" uses.</summary>
public static class BooleanText
{
    private static readonly string[] TrueWords = { "1", "t", "true", "on", "y", "yes" };
    private static readonly string[] FalseWords = { "0", "f", "false", "off", "n", "no" };

    /// <summary>Strict reading: succeeds only for a recognised true or false word (case-insensitive, surrounding whitespace ignored).</summary>
    public static bool TryParse(string? text, out bool value)
    {
        var word = Normalize(text);
        value = TrueWords.Contains(word);
        return value || FalseWords.Contains(word);
    }

    /// <summary>Lenient reading, oslo's default: anything that is not a true word is false.</summary>
    public static bool IsTrue(string? text) => TrueWords.Contains(Normalize(text));

    private static string Normalize(string? text) => (text ?? string.Empty).Trim().ToLowerInvariant();
}
