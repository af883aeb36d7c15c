using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// What the names reaching a Get-style cmdlet are matched against, for one pipeline: the literal names of a record
/// are read by key; once the pipeline has read many that way (a fleet piped in), or a name is a pattern, the whole set is
/// read once and every later record is matched in it. Each object then costs the same state work whatever the fleet's size.
/// </summary>
internal sealed class PipelineNames<T>
{
    /// <summary>Names read by key before the whole set is read instead: a few for a runbook's handful, one list for a fleet.</summary>
    private const int KeyedNames = 32;

    private readonly Func<IReadOnlyList<T>> _readAll;
    private readonly Func<IReadOnlyCollection<string>, IReadOnlyList<T>> _readNamed;
    private IReadOnlyList<T>? _all;
    private int _readByKey;

    /// <param name="readAll">Everything the names may match.</param>
    /// <param name="readNamed">What has these names (compared without case), read by key.</param>
    public PipelineNames(Func<IReadOnlyList<T>> readAll, Func<IReadOnlyCollection<string>, IReadOnlyList<T>> readNamed)
    {
        _readAll = readAll;
        _readNamed = readNamed;
    }

    /// <summary>Everything, read once per pipeline.</summary>
    public IReadOnlyList<T> All() => _all ??= _readAll();

    /// <summary>What the names of one record may match: the named items, or all of them.</summary>
    public IReadOnlyList<T> CandidatesFor(IReadOnlyCollection<string> names)
    {
        if (_all is null && names.All(IsKeyed) && _readByKey + names.Count <= KeyedNames)
        {
            _readByKey += names.Count;
            return _readNamed(names.Select(WildcardPattern.Unescape).ToList());
        }

        return All();
    }

    // Names are ASCII; another character might match one only as the pattern matcher folds case, so it is matched over all.
    private static bool IsKeyed(string name) => !WildcardPattern.ContainsWildcardCharacters(name) && name.All(c => c < 128);
}
