using Markdig.Syntax;

namespace Replication.HelpCompiler;

/// <summary>
/// A PlatyPS document as its headings lay it out: "## SECTION" headings, each with the blocks before its first
/// "###" heading (Body) and its "### Entry" headings with their blocks (Entries).
/// </summary>
internal sealed record DocumentOutline(HeadingBlock? Title, IReadOnlyList<OutlineSection> Sections)
{
    public static DocumentOutline Of(MarkdownDocument document)
    {
        HeadingBlock? title = null;
        var sections = new List<OutlineSection>();
        foreach (var block in document)
        {
            switch (block)
            {
                case HeadingBlock { Level: 1 } heading when title is null && sections.Count == 0:
                    title = heading;
                    break;
                case HeadingBlock { Level: <= 2 } heading:
                    sections.Add(new OutlineSection(MarkdownText.Inline(heading.Inline), heading));
                    break;
                case HeadingBlock { Level: 3 } heading when sections.Count > 0:
                    sections[^1].Entries.Add(new OutlineEntry(MarkdownText.Inline(heading.Inline)));
                    break;
                case Markdig.Extensions.Yaml.YamlFrontMatterBlock:
                    break;
                default:
                    if (sections.Count == 0)
                    {
                        break; // text between the title and the first section has no place in help
                    }

                    var section = sections[^1];
                    (section.Entries.Count > 0 ? section.Entries[^1].Blocks : section.Body).Add(block);
                    break;
            }
        }

        return new DocumentOutline(title, sections);
    }
}

internal sealed record OutlineSection(string Title, HeadingBlock Heading)
{
    public List<Block> Body { get; } = [];

    public List<OutlineEntry> Entries { get; } = [];
}

internal sealed record OutlineEntry(string Title)
{
    public List<Block> Blocks { get; } = [];
}
