using System.Collections.Generic;
using System.Linq;
using System.Text;
using static Replication.Engine.Export.Nbd.NbdProtocol;

namespace Replication.Engine.Export.Nbd;

/// <summary>
/// The data of NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT: an export name, then queries, each a string
/// that starts with a namespace and a colon. Queries of namespaces other than "base" are ignored, as the protocol says.
/// </summary>
internal sealed class NbdMetaContextQuery
{
    private const string BaseNamespace = "base:";

    private NbdMetaContextQuery(string exportName, IReadOnlyList<string> queries)
    {
        ExportName = exportName;
        Queries = queries;
    }

    public string ExportName { get; }

    public IReadOnlyList<string> Queries { get; }

    /// <summary>Listing with no query lists every context; "base:" lists the base namespace's.</summary>
    public bool ListsAllocation => Queries.Count == 0 || Queries.Any(q => q == BaseNamespace || q == AllocationContextName);

    /// <summary>Only the exact name selects a context ("base:" selects nothing).</summary>
    public bool SelectsAllocation => Queries.Any(q => q == AllocationContextName);

    /// <summary>The query, or null when the lengths do not add up to the data exactly, or a query has no namespace.</summary>
    public static NbdMetaContextQuery? Parse(byte[] data)
    {
        var position = 0;
        if (String(data, ref position) is not { } exportName || position + 4 > data.Length)
        {
            return null;
        }

        var count = NbdWire.U32(data, position);
        position += 4;
        // Each query takes at least its 4-byte length, so a count the data cannot hold is refused before any is read.
        if (count > (data.Length - position) / 4)
        {
            return null;
        }

        var queries = new List<string>((int)count);
        for (var i = 0; i < count; i++)
        {
            if (String(data, ref position) is not { } query || query.IndexOf(':') < 1)
            {
                return null;
            }

            queries.Add(query);
        }

        return position == data.Length ? new NbdMetaContextQuery(exportName, queries) : null;
    }

    /// <summary>A 32-bit length and that many bytes of UTF-8, no longer than the protocol's string limit.</summary>
    private static string? String(byte[] data, ref int position)
    {
        if (position + 4 > data.Length)
        {
            return null;
        }

        var length = NbdWire.U32(data, position);
        if (length > MaxNameLength || length > data.Length - position - 4)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(data, position + 4, (int)length);
        position += 4 + (int)length;
        return text;
    }
}
