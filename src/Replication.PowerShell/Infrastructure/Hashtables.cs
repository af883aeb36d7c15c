using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace Replication.PowerShell.Infrastructure;

/// <summary>Hashtables from the command line as plain .NET values for the engine (PowerShell wraps values in PSObject).</summary>
internal static class Hashtables
{
    public static IReadOnlyDictionary<string, object?> ToValues(Hashtable? table) =>
        table is null
            ? new Dictionary<string, object?>()
            : table.Cast<DictionaryEntry>().ToDictionary(e => Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "", e => Unwrap(e.Value), StringComparer.OrdinalIgnoreCase);

    /// <summary>Extra specs are text in Cinder; $true and 5 become "True" and "5".</summary>
    public static IReadOnlyDictionary<string, string> ToText(Hashtable? table) =>
        ToValues(table).ToDictionary(e => e.Key, e => Convert.ToString(e.Value, CultureInfo.InvariantCulture) ?? "", StringComparer.OrdinalIgnoreCase);

    private static object? Unwrap(object? value) => value switch
    {
        PSObject wrapped => Unwrap(wrapped.BaseObject),
        string text => text,
        IDictionary map => map.Cast<DictionaryEntry>().ToDictionary(e => Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "", e => Unwrap(e.Value)),
        IEnumerable list => list.Cast<object?>().Select(Unwrap).ToList(),
        _ => value,
    };
}
