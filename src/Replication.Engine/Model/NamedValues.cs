using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Replication.Engine.Model;

/// <summary>
/// Capabilities or extra specs as a dictionary (indexed by key, any case; ConvertTo-Json writes an object) that reads as
/// "key=value; key=value", sorted by key, wherever it becomes text: Export-Csv, string expansion, the default views.
/// </summary>
public sealed class NamedValues<TValue> : Dictionary<string, TValue>
{
    public NamedValues(IEnumerable<KeyValuePair<string, TValue>> items)
        : base(StringComparer.OrdinalIgnoreCase)
    {
        foreach (var item in items)
        {
            this[item.Key] = item.Value;
        }
    }

    public override string ToString() =>
        string.Join("; ", this.OrderBy(item => item.Key, StringComparer.Ordinal).Select(item => $"{item.Key}={Text(item.Value)}"));

    /// <summary>A list value (replication_type's modes) as its items joined by commas.</summary>
    private static string Text(object? value) => value switch
    {
        null => "",
        string text => text,
        IEnumerable items => string.Join(",", items.Cast<object?>().Select(Text)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
