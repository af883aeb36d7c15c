using System.Collections.Generic;

namespace Replication.Engine.State.Sql;

/// <summary>The conditions of a listing that were asked for, and their parameters: a condition whose value is null is left out.</summary>
internal sealed class SqlFilter
{
    private readonly List<string> _conditions = new();
    private readonly List<(string Name, object? Value)> _parameters = new();

    /// <summary>Adds a condition and its parameter when <paramref name="value"/> is given.</summary>
    public void Add(string condition, string parameter, object? value)
    {
        if (value is not null)
        {
            _conditions.Add(condition);
            _parameters.Add((parameter, value));
        }
    }

    /// <summary>Adds "<paramref name="column"/> IN (...)" when <paramref name="values"/> are given (none matches no row).</summary>
    public void AddIn(string column, string parameter, IReadOnlyCollection<string>? values)
    {
        if (values is null)
        {
            return;
        }

        var names = new List<string>();
        foreach (var value in values)
        {
            var name = parameter + names.Count;
            names.Add("@" + name);
            _parameters.Add((name, value));
        }

        _conditions.Add(names.Count == 0 ? "1 = 0" : $"{column} IN ({string.Join(", ", names)})");
    }

    /// <summary>A parameter of the statement's own clauses (a LIMIT), not a condition.</summary>
    public void AddParameter(string parameter, object value) => _parameters.Add((parameter, value));

    public string Where => _conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", _conditions);

    public (string Name, object? Value)[] Parameters => _parameters.ToArray();
}
