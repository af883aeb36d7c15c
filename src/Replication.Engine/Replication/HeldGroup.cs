using System;
using System.Collections.Generic;
using System.Linq;

namespace Replication.Engine.Replication;

/// <summary>A replication group's lease and its members' leases, held together and given back in reverse order.</summary>
internal sealed class HeldGroup : IDisposable
{
    private readonly List<IDisposable> _leases;

    public HeldGroup(string group, IReadOnlyList<string> members, List<IDisposable> leases)
    {
        Group = group;
        Members = members;
        _leases = leases;
    }

    /// <summary>The group's name as recorded.</summary>
    public string Group { get; }

    /// <summary>The members whose leases are held.</summary>
    public IReadOnlyList<string> Members { get; }

    public void Dispose()
    {
        foreach (var lease in Enumerable.Reverse(_leases))
        {
            lease.Dispose();
        }
    }
}
