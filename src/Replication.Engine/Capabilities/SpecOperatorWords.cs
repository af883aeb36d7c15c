using System;
using System.Collections.Generic;

namespace Replication.Engine.Capabilities;

/// <summary>The words that spell each <see cref="SpecOperator"/> in an extra-spec value.</summary>
internal static class SpecOperatorWords
{
    public const string Or = "<or>";

    private static readonly Dictionary<string, SpecOperator> ByWord = new(StringComparer.Ordinal)
    {
        ["="] = SpecOperator.AtLeast,
        ["=="] = SpecOperator.NumericEqual,
        ["!="] = SpecOperator.NumericNotEqual,
        [">="] = SpecOperator.NumericGreaterOrEqual,
        ["<="] = SpecOperator.NumericLessOrEqual,
        ["s=="] = SpecOperator.StringEqual,
        ["s!="] = SpecOperator.StringNotEqual,
        ["s<"] = SpecOperator.StringLess,
        ["s<="] = SpecOperator.StringLessOrEqual,
        ["s>"] = SpecOperator.StringGreater,
        ["s>="] = SpecOperator.StringGreaterOrEqual,
        ["<in>"] = SpecOperator.Contains,
        ["<is>"] = SpecOperator.Is,
        [Or] = SpecOperator.Or,
    };

    public static bool TryParse(string word, out SpecOperator op) => ByWord.TryGetValue(word, out op);

    /// <summary>
    /// Whether an unknown word was surely meant as an operator: a case variant ("&lt;IS&gt;", "S=="), one glued to its
    /// operand ("&gt;=5") or one Cinder lacks ("&gt;5"). Cinder would compare it as plain text and never match.
    /// </summary>
    public static bool LooksLikeOperator(string word)
    {
        var symbols = word.Length > 1 && word[0] is 's' or 'S' ? word.Substring(1) : word;
        return symbols[0] is '<' or '>' or '=' or '!';
    }
}
