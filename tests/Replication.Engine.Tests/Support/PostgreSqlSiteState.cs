using System.Collections.Generic;
using System.Linq;
using System.Text;
using Npgsql;
using Replication.Engine.State;

namespace Replication.Engine.Tests.Support;

/// <summary>A site's state in a schema of its own on the test PostgreSQL server, dropped with the site.</summary>
public sealed class PostgreSqlSiteState : SiteState
{
    public PostgreSqlSiteState()
    {
        (Schema, ConnectionString) = TestPostgres.CreateSchema();
        Address = StateAddress.PostgreSql(ConnectionString);
    }

    public string Schema { get; }

    public string ConnectionString { get; }

    public override StateAddress Address { get; }

    public override string Dump(params string[] ignore)
    {
        var ignored = new HashSet<string>(ignore, System.StringComparer.OrdinalIgnoreCase);
        using var connection = Unpooled();
        var tables = new List<string>();
        using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = @schema ORDER BY table_name COLLATE \"C\";", connection))
        {
            list.Parameters.AddWithValue("schema", Schema);
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
            using var select = new NpgsqlCommand($"SELECT * FROM \"{table}\";", connection);
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

    public override long RowCount(string table)
    {
        using var connection = Unpooled();
        using var count = new NpgsqlCommand($"SELECT COUNT(*) FROM \"{table.Replace("\"", "\"\"")}\";", connection);
        return (long)count.ExecuteScalar()!;
    }

    // Unpooled: a dump's connection is closed at once instead of idling in a pool per schema until the server runs out.
    private NpgsqlConnection Unpooled()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public override void Dispose()
    {
        base.Dispose();
        TestPostgres.DropSchema(Schema);
    }
}
