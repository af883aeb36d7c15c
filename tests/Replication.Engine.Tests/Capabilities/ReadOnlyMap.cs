using System.Collections;
using System.Collections.Generic;

namespace Replication.Engine.Tests.Capabilities;

/// <summary>A map that is only an <see cref="IReadOnlyDictionary{TKey, TValue}"/>, unlike Dictionary which is also an IDictionary.</summary>
internal sealed class ReadOnlyMap : IReadOnlyDictionary<string, object?>
{
    private readonly Dictionary<string, object?> _entries = new();

    public ReadOnlyMap(params (string Name, object? Value)[] entries)
    {
        foreach (var (name, value) in entries)
        {
            _entries[name] = value;
        }
    }

    public int Count => _entries.Count;

    public IEnumerable<string> Keys => _entries.Keys;

    public IEnumerable<object?> Values => _entries.Values;

    public object? this[string key] => _entries[key];

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    public bool TryGetValue(string key, out object? value) => _entries.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
