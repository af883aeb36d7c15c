using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.Data.Sqlite;
using Replication.Engine.State;

namespace Replication.Engine.Tests.Support;

/// <summary>A site's state in a SQLite file of its own.</summary>
public sealed class SqliteSiteState : SiteState
{
    public SqliteSiteState(string path)
    {
        Path = path;
        Address = StateAddress.File(path);
    }

    public string Path { get; }

    public override StateAddress Address { get; }

    public override string Dump(params string[] ignore) => DumpFile(Path, ignore);

    public override long RowCount(string table)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM \"{table.Replace("\"", "\"\"")}\";";
        return (long)count.ExecuteScalar()!;
    }

    public static string DumpFile(string path, params string[] ignore)
    {
        var ignored = new HashSet<string>(ignore, System.StringComparer.OrdinalIgnoreCase);
        if (ignored.Contains("events"))
        {
            ignored.Add("sqlite_sequence");
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new StringBuilder();
        foreach (var table in tables.Where(t => !ignored.Contains(t)))
        {
            text.Append("== ").Append(table).Append('\n');
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\";";
            using var reader = select.ExecuteReader();
            var columns = Enumerable.Range(0, reader.FieldCount).Where(i => !ignored.Contains($"{table}.{reader.GetName(i)}")).ToList();
            text.Append(string.Join(" | ", columns.Select(reader.GetName))).Append('\n');
            var rows = new List<string>();
            while (reader.Read())
            {
                rows.Add(string.Join(" | ", columns.Select(i => Render(reader.GetValue(i)))));
            }

            foreach (var row in rows.OrderBy(r => r, System.StringComparer.Ordinal))
            {
                text.Append(row).Append('\n');
            }
        }

        return text.ToString();
    }
}
