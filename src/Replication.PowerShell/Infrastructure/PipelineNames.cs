using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// What the names reaching a Get-style cmdlet are matched against, for one pipeline: the literal names of a record
/// are read by key; once the pipeline has read many that way (a fleet piped in), or a name is a pattern, the whole set is
/// read once and every later literal name is found in it by a dictionary. Each object then costs the same work whatever
/// the fleet's size.
/// </summary>
internal sealed class PipelineNames<T>
{
    /// <summary>Names read by key before the whole set is read instead: a few for a runbook's handful, one list for a fleet.</summary>
    private const int KeyedNames = 32;

    private readonly Func<IReadOnlyList<T>> _readAll;
    private readonly Func<IReadOnlyCollection<string>, IReadOnlyList<T>> _readNamed;
    private IReadOnlyList<T>? _all;
    private Dictionary<string, T>? _allByName;
    private int _readByKey;

    /// <param name="nameOf">The name of an item (names are unique without regard to case).</param>
    /// <param name="readAll">Everything the names may match.</param>
    /// <param name="readNamed">What has these names (compared without case), read by key.</param>
    public PipelineNames(Func<T, string> nameOf, Func<IReadOnlyList<T>> readAll, Func<IReadOnlyCollection<string>, IReadOnlyList<T>> readNamed)
    {
        NameOf = nameOf;
        _readAll = readAll;
        _readNamed = readNamed;
    }

    public Func<T, string> NameOf { get; }

    /// <summary>Everything, read once per pipeline.</summary>
    public IReadOnlyList<T> All() => _all ??= _readAll();

    /// <summary>
    /// A matcher for the names of one record: over the named items read by key, or over everything (literal names by
    /// dictionary, patterns by a scan).
    /// </summary>
    public Func<string, IEnumerable<T>> MatcherFor(IReadOnlyCollection<string> names)
    {
        if (_all is null && names.All(IsKeyed) && _readByKey + names.Count <= KeyedNames)
        {
            _readByKey += names.Count;
            var named = _readNamed(names);
            return name => Scan(named, name);
        }

        var all = All();
        return name => IsKeyed(name) ? Find(all, name) : Scan(all, name);
    }

    // A name is its own key unless the pattern matcher reads it otherwise: a wildcard, an escape (`), or a character
    // outside the names' ASCII that it might fold onto one. Those are matched by a scan, as before.
    private static bool IsKeyed(string name) => !WildcardPattern.ContainsWildcardCharacters(name) && name.All(c => c < 128 && c != '`');

    private IEnumerable<T> Scan(IReadOnlyList<T> items, string name)
    {
        var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
        return items.Where(item => pattern.IsMatch(NameOf(item)));
    }

    private IEnumerable<T> Find(IReadOnlyList<T> all, string name)
    {
        if (_allByName is null)
        {
            _allByName = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
            foreach (var item in all)
            {
                _allByName[NameOf(item)] = item;
            }
        }

        return _allByName.TryGetValue(name, out var found) ? new[] { found } : Array.Empty<T>();
    }
}
