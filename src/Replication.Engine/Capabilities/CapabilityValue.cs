using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Replication.Engine.Capabilities;

/// <summary>Culture-independent readings of a capability value, as the extra-spec operators compare it.</summary>
internal static class CapabilityValue
{
    /// <summary>Text form: booleans as Python writes them ("True"), numbers invariant, doubles shortest round-trip (5.0 reads "5").</summary>
    public static string Text(object value) => value switch
    {
        string text => text,
        bool flag => flag ? "True" : "False",
        // "R" because .NET Framework's default keeps only 15 digits (0.30000000000000004 would read "0.3").
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        float number => number.ToString("R", CultureInfo.InvariantCulture),
        IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(key => $"{Text(key)}: {ItemText(map[key])}")) + "}",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(ItemText)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Numeric reading: a number, or text that parses as one in the invariant culture. Booleans are not numbers.</summary>
    public static bool TryNumber(object value, out double number)
    {
        switch (value)
        {
            case string text:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
            case byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal:
                number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                return true;
            default:
                number = 0;
                return false;
        }
    }

    /// <summary>Boolean reading as oslo's non-strict <c>bool_from_string</c>: a bool as is, anything else by its text.</summary>
    public static bool Boolean(object value) => value is bool flag ? flag : BooleanText.IsTrue(Text(value));

    /// <summary>Python's <c>element in value</c>: substring of text, key of a map, or element of a list.</summary>
    public static bool Contains(object value, string element) => value switch
    {
        string text => text.Contains(element),
        IReadOnlyDictionary<string, object?> map => map.ContainsKey(element),
        IDictionary map => map.Contains(element),
        IEnumerable items => items.Cast<object?>().Any(item => item is not null && Text(item) == element),
        _ => Text(value).Contains(element),
    };

    /// <summary>Looks up one step of a capability path in a map; anything else has no members.</summary>
    public static bool TryGetMember(object? container, string name, out object? member)
    {
        switch (container)
        {
            case IReadOnlyDictionary<string, object?> map:
                return map.TryGetValue(name, out member);
            case IDictionary map when map.Contains(name):
                member = map[name];
                return true;
            default:
                member = null;
                return false;
        }
    }

    private static string ItemText(object? item) => item is null ? "null" : Text(item);
}
