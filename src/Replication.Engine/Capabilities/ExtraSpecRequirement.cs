using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Replication.Engine.Errors;

namespace Replication.Engine.Capabilities;

/// <summary>
/// One volume-type extra spec read as a requirement on a backend's capabilities, as Cinder's CapabilitiesFilter and
/// <c>extra_specs_ops.match</c> read it, plus validation: a spec that could never match is rejected when it is
/// parsed instead of silently filtering out every backend.
/// </summary>
/// <remarks>
/// <para>Key: "capabilities:a:b" walks nested capability maps a then b; an unscoped key ("a") names a top-level
/// capability; a key in another scope ("replication:type") is not about capabilities and is always satisfied.</para>
/// <para>Value: a leading operator word picks the comparison (see <see cref="SpecOperator"/>; note that "= 4" means
/// at least 4); without one the capability must equal the whole value. Comparisons use the capability's invariant
/// text form: booleans read "True"/"False" as in Python, numbers use the invariant culture and doubles their
/// shortest round-trip form (5.0 reads "5"). Cinder compares Python values, so there "5" never equals the number 5;
/// comparing text makes it match, which is what the author of the spec means.</para>
/// <para>Stricter than Cinder: operators take exactly one operand (Cinder ignores extra words, which usually hide a
/// typo such as a missing "&lt;or&gt;"), operands must suit their operator, and a first word that looks like a
/// mistyped operator ("&lt;IS&gt;", "&gt;=5") is rejected rather than compared as plain text.</para>
/// </remarks>
public sealed class ExtraSpecRequirement
{
    private const int MaxLength = 255; // Cinder's limit on extra-spec keys and values
    private const string CapabilitiesScope = "capabilities";

    private ExtraSpecRequirement(string? key, string? value)
    {
        Key = key ?? string.Empty;
        Value = value ?? string.Empty;
        var parts = SplitKey();
        Scope = parts.Length > 1 ? parts[0] : null;
        AppliesToCapabilities = Scope is null or CapabilitiesScope;
        CapabilityPath = Array.AsReadOnly(Scope is null ? parts : AppliesToCapabilities ? parts.Skip(1).ToArray() : Array.Empty<string>());
        (Operator, var operands) = ParseValue();
        Operands = Array.AsReadOnly(operands);
    }

    /// <summary>The key as given, e.g. "capabilities:replication".</summary>
    public string Key { get; }

    /// <summary>The value as given, e.g. "&lt;is&gt; True".</summary>
    public string Value { get; }

    /// <summary>The key's first part when it has several ("capabilities", "replication", ...); null when unscoped.</summary>
    public string? Scope { get; }

    /// <summary>The capability names to walk: the key's parts after "capabilities", the whole key when unscoped, empty for other scopes.</summary>
    public IReadOnlyList<string> CapabilityPath { get; }

    /// <summary>Whether the key is about capabilities at all; Cinder skips keys of other scopes.</summary>
    public bool AppliesToCapabilities { get; }

    public SpecOperator Operator { get; }

    /// <summary>The operator's operand, each alternative of "&lt;or&gt;", or the whole value for <see cref="SpecOperator.Equal"/>.</summary>
    public IReadOnlyList<string> Operands { get; }

    private double NumericOperand => double.Parse(Operands[0], NumberStyles.Float, CultureInfo.InvariantCulture);

    private bool BooleanOperand => BooleanText.IsTrue(Operands[0]);

    /// <summary>Parses and validates one extra spec; throws <see cref="ReplicationException"/> (InvalidExtraSpec) when it is malformed.</summary>
    public static ExtraSpecRequirement Parse(string key, string value) => new(key, value);

    /// <summary>Whether a backend reporting <paramref name="capabilities"/> satisfies this requirement.</summary>
    public CapabilityMatch Match(IReadOnlyDictionary<string, object?> capabilities)
    {
        if (capabilities is null)
        {
            throw new ArgumentNullException(nameof(capabilities));
        }

        if (!AppliesToCapabilities)
        {
            return CapabilityMatch.Satisfied;
        }

        object? capability = capabilities;
        for (var depth = 0; depth < CapabilityPath.Count; depth++)
        {
            if (!CapabilityValue.TryGetMember(capability, CapabilityPath[depth], out capability))
            {
                return CapabilityMatch.NotSatisfied($"does not report capability '{string.Join(":", CapabilityPath.Take(depth + 1))}'");
            }
        }

        var name = string.Join(":", CapabilityPath);
        if (capability is null)
        {
            return CapabilityMatch.NotSatisfied($"reports no value for '{name}'");
        }

        if (Accepts(capability))
        {
            return CapabilityMatch.Satisfied;
        }

        var reported = $"reports {name}={CapabilityValue.Text(capability)}";
        return CapabilityMatch.NotSatisfied(IsNumeric(Operator) && !CapabilityValue.TryNumber(capability, out _) ? $"{reported}, which is not a number" : reported);
    }

    /// <summary>Whether one capability value passes this requirement's operator; null never does.</summary>
    public bool Accepts(object? capabilityValue)
    {
        if (capabilityValue is null)
        {
            return false;
        }

        var text = CapabilityValue.Text(capabilityValue);
        int Ordinal() => string.CompareOrdinal(text, Operands[0]);
        return Operator switch
        {
            SpecOperator.Equal => text == Value,
            SpecOperator.AtLeast or SpecOperator.NumericGreaterOrEqual => CapabilityValue.TryNumber(capabilityValue, out var number) && number >= NumericOperand,
            SpecOperator.NumericEqual => CapabilityValue.TryNumber(capabilityValue, out var number) && number == NumericOperand,
            SpecOperator.NumericNotEqual => CapabilityValue.TryNumber(capabilityValue, out var number) && number != NumericOperand,
            SpecOperator.NumericLessOrEqual => CapabilityValue.TryNumber(capabilityValue, out var number) && number <= NumericOperand,
            SpecOperator.StringEqual => Ordinal() == 0,
            SpecOperator.StringNotEqual => Ordinal() != 0,
            SpecOperator.StringLess => Ordinal() < 0,
            SpecOperator.StringLessOrEqual => Ordinal() <= 0,
            SpecOperator.StringGreater => Ordinal() > 0,
            SpecOperator.StringGreaterOrEqual => Ordinal() >= 0,
            SpecOperator.Contains => CapabilityValue.Contains(capabilityValue, Operands[0]),
            SpecOperator.Is => CapabilityValue.Boolean(capabilityValue) == BooleanOperand,
            SpecOperator.Or => Operands.Contains(text),
            _ => throw new InvalidOperationException($"Unknown operator {Operator}."),
        };
    }

    public override string ToString() => $"{Key}={Value}";

    private static bool IsNumeric(SpecOperator op) => op is SpecOperator.AtLeast or SpecOperator.NumericEqual
        or SpecOperator.NumericNotEqual or SpecOperator.NumericGreaterOrEqual or SpecOperator.NumericLessOrEqual;

    private static bool TryParseFiniteNumber(string text, out double number) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && !double.IsNaN(number) && !double.IsInfinity(number);

    // Cinder's API allows these in keys (and a space, which here could only be a typo).
    private static bool IsKeyCharacter(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' or '/' or ':';

    // Control and formatting characters make a spec look right yet never match, and garble messages and logs.
    private static bool IsInvisible(char c) => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;

    private static string Describe(char c) => IsInvisible(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}'";

    private static string Quote(string text)
    {
        var shown = text.Length <= MaxLength ? text : text.Substring(0, MaxLength) + "...";
        return "'" + new string(shown.Select(c => IsInvisible(c) ? '?' : c).ToArray()) + "'";
    }

    private string[] SplitKey()
    {
        if (Key.Length == 0)
        {
            throw Invalid("the key is empty");
        }

        if (Key.Length > MaxLength)
        {
            throw Invalid($"the key is {Key.Length} characters long, more than {MaxLength}");
        }

        var bad = Key.Where(c => !IsKeyCharacter(c)).Take(1).ToArray();
        if (bad.Length > 0)
        {
            throw Invalid($"the key contains {Describe(bad[0])}; only ASCII letters, digits and - _ . / : are allowed");
        }

        var parts = Key.Split(':');
        if (parts.Any(part => part.Length == 0))
        {
            throw Invalid("the key has an empty part around ':'");
        }

        return parts;
    }

    private (SpecOperator Operator, string[] Operands) ParseValue()
    {
        if (Value.Length > MaxLength)
        {
            throw Invalid($"the value is {Value.Length} characters long, more than {MaxLength}");
        }

        var bad = Value.Where(IsInvisible).Take(1).ToArray();
        if (bad.Length > 0)
        {
            throw Invalid($"the value contains the invisible character {Describe(bad[0])}");
        }

        var words = Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            throw Invalid("the value is empty");
        }

        if (!SpecOperatorWords.TryParse(words[0], out var op))
        {
            return SpecOperatorWords.LooksLikeOperator(words[0])
                ? throw Invalid($"'{words[0]}' is not an operator; operators are lower-case and followed by a space, as in '>= 10' or '<is> True'")
                : (SpecOperator.Equal, new[] { Value });
        }

        if (op == SpecOperator.Or)
        {
            return (op, ParseAlternatives(words));
        }

        if (words.Length != 2)
        {
            throw Invalid($"'{words[0]}' takes exactly one operand, not {words.Length - 1}");
        }

        var operand = words[1];
        if (op == SpecOperator.Is && !BooleanText.TryParse(operand, out _))
        {
            throw Invalid($"'<is>' needs a boolean word (True/False, Yes/No, On/Off, 1/0, T/F, Y/N), not '{operand}'");
        }

        if (IsNumeric(op) && !TryParseFiniteNumber(operand, out _))
        {
            throw Invalid($"'{words[0]}' needs a finite number, not '{operand}'");
        }

        return (op, new[] { operand });
    }

    // Cinder reads "<or> a <or> b <or> c": "<or>" at even positions, one alternative after each.
    private string[] ParseAlternatives(string[] words)
    {
        var wellFormed = words.Length % 2 == 0 && words.Select((word, index) => (word == SpecOperatorWords.Or) == (index % 2 == 0)).All(ok => ok);
        return wellFormed
            ? words.Where((_, index) => index % 2 == 1).ToArray()
            : throw Invalid("alternatives must read '<or> a <or> b', each one after its own '<or>'");
    }

    private ReplicationException Invalid(string problem) =>
        new(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument, $"Extra spec {Quote(Key)} = {Quote(Value)} is invalid: {problem}.", Key);
}
