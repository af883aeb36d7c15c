using Markdig.Extensions.Tables;
using Markdig.Syntax;

namespace Replication.HelpCompiler;

/// <summary>
/// A markdown pipe table as console text: columns padded to their widest cell, the header underlined with dashes, as
/// Format-Table prints. Lines are never wrapped, since a wrapped row no longer reads as a row.
/// </summary>
internal static class TextTable
{
    private const string ColumnGap = "  ";

    public static IReadOnlyList<string> Lines(Table table)
    {
        var rows = table.OfType<TableRow>()
            .Select(row => (row.IsHeader, Cells: row.OfType<TableCell>().Select(CellText).ToList()))
            .ToList();
        var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Cells.Count);
        var widths = Enumerable.Range(0, columns)
            .Select(c => rows.Max(r => c < r.Cells.Count ? r.Cells[c].Length : 0))
            .ToList();
        var lines = new List<string>();
        foreach (var (isHeader, cells) in rows)
        {
            lines.Add(Join(cells, widths));
            if (isHeader)
            {
                lines.Add(Join(widths.Select(w => new string('-', w)).ToList(), widths));
            }
        }

        return lines;
    }

    private static string CellText(TableCell cell) =>
        string.Join(" ", cell.OfType<ParagraphBlock>().Select(p => MarkdownText.Inline(p.Inline)));

    private static string Join(IReadOnlyList<string> cells, IReadOnlyList<int> widths) =>
        string.Join(ColumnGap, widths.Select((w, i) => (i < cells.Count ? cells[i] : "").PadRight(w))).TrimEnd();
}
