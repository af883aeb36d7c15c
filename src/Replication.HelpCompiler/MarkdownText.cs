using System.Text;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Replication.HelpCompiler;

/// <summary>
/// Turns markdown blocks and inlines into the plain text help shows: console help has no markup, so inline code and
/// emphasis keep their words and lose their marks.
/// </summary>
internal static class MarkdownText
{
    // PlatyPS files start with a "---" yaml front matter block, which plain CommonMark would read as a heading;
    // tables are GitHub-style pipe tables.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().UsePipeTables().Build();

    public static MarkdownDocument Parse(string markdown) => Markdown.Parse(markdown, Pipeline);

    /// <summary>The text of a heading or paragraph. Soft line breaks become spaces so the console can rewrap the text.</summary>
    public static string Inline(ContainerInline? container)
    {
        var text = new StringBuilder();
        AppendInline(container, text);
        return text.ToString().Trim();
    }

    /// <summary>The text of a code block, line for line.</summary>
    public static string Code(LeafBlock code) => code.Lines.ToString().TrimEnd();

    /// <summary>
    /// Blocks as help paragraphs: one per paragraph, list or code block. List items keep a "- " or "1. " mark,
    /// since that is how a plain-text reader sees a list.
    /// </summary>
    public static List<string> Paragraphs(IEnumerable<Block> blocks)
    {
        var paragraphs = new List<string>();
        foreach (var block in blocks)
        {
            AppendParagraphs(block, paragraphs);
        }

        return paragraphs;
    }

    /// <summary>A PlatyPS placeholder such as "{{ Fill in the Synopsis }}": text generated but never written.</summary>
    public static bool IsPlaceholder(string text)
    {
        var trimmed = text.Trim();
        return trimmed.StartsWith("{{", StringComparison.Ordinal) && trimmed.EndsWith("}}", StringComparison.Ordinal);
    }

    /// <summary>
    /// An http(s) address. Not just any absolute URI: on Unix "/docs/x.md" would pass as a file URI, and Get-Help
    /// -Online can only open web addresses.
    /// </summary>
    public static bool IsWebAddress(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static void AppendParagraphs(Block block, List<string> paragraphs)
    {
        switch (block)
        {
            case ParagraphBlock paragraph:
                paragraphs.Add(Inline(paragraph.Inline));
                break;
            case HeadingBlock heading:
                paragraphs.Add(Inline(heading.Inline));
                break;
            case CodeBlock code:
                paragraphs.Add(Code(code));
                break;
            case ListBlock list:
                // The whole list is one paragraph, an item a line: Get-Help keeps the line breaks inside a
                // maml:para but puts a blank line between paras, which would space the list out.
                var number = int.TryParse(list.OrderedStart, out var start) ? start : 1;
                var lines = new List<string>();
                foreach (var item in list.OfType<ListItemBlock>())
                {
                    var marker = list.IsOrdered ? $"{number++}. " : "- ";
                    var itemParagraphs = Paragraphs(item);
                    for (var i = 0; i < itemParagraphs.Count; i++)
                    {
                        lines.Add((i == 0 ? marker : new string(' ', marker.Length)) + itemParagraphs[i]);
                    }
                }

                paragraphs.Add(string.Join("\n", lines));
                break;
            case Markdig.Extensions.Tables.Table table:
                paragraphs.Add(string.Join("\n", TextTable.Lines(table)));
                break;
            case ContainerBlock container:
                paragraphs.AddRange(Paragraphs(container));
                break;
            // Html blocks (comments left for authors) and thematic breaks carry nothing for a console reader.
        }
    }

    private static void AppendInline(ContainerInline? container, StringBuilder text)
    {
        if (container is null)
        {
            return;
        }

        foreach (var inline in container)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(literal.Content.ToString());
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
                case LineBreakInline lineBreak:
                    text.Append(lineBreak.IsHard ? "\n" : " ");
                    break;
                case AutolinkInline autolink:
                    text.Append(autolink.Url);
                    break;
                case HtmlEntityInline entity:
                    text.Append(entity.Transcoded.ToString());
                    break;
                case HtmlInline html:
                    // Prose such as "a <String>" parses as an html tag; help is plain text, so keep it as written.
                    text.Append(html.Tag);
                    break;
                case LinkInline link:
                    AppendInline(link, text);
                    // A reader of console help cannot follow a link, so an absolute address is spelled out.
                    if (!link.IsImage && !link.IsAutoLink && IsWebAddress(link.Url))
                    {
                        text.Append(" (").Append(link.Url).Append(')');
                    }

                    break;
                case ContainerInline nested:
                    AppendInline(nested, text);
                    break;
            }
        }
    }
}
