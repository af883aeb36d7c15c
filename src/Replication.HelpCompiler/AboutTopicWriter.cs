using System.Text;
using Markdig.Syntax;

namespace Replication.HelpCompiler;

/// <summary>
/// Renders a PlatyPS about topic (about_Name.md) as the about_Name.help.txt that Get-Help about_Name prints, laid out
/// like PowerShell's own about topics:
/// <code>
/// TOPIC
///     about_Name
///
/// SHORT DESCRIPTION
///     Text, wrapped at 80 columns and indented by four.
/// </code>
/// "##" headings are upper case at the margin, "###" and lower ones upper case at the text's indent, code blocks
/// indented by eight and never wrapped, since a wrapped command would no longer run.
/// </summary>
internal static class AboutTopicWriter
{
    private const string TextIndent = "    ";

    public static string Render(string file, string markdown, List<HelpProblem> problems)
    {
        var document = MarkdownText.Parse(markdown);
        var expectedTopic = Path.GetFileNameWithoutExtension(file);
        var title = document.OfType<HeadingBlock>().FirstOrDefault(h => h.Level == 1);
        var topic = title is null ? null : MarkdownText.Inline(title.Inline);
        if (!string.Equals(topic, expectedTopic, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add(new HelpProblem(file, $"an about topic starts with '# {expectedTopic}', the file's name (found {(topic is null ? "no '#' heading" : $"'# {topic}'")})"));
        }

        if (!document.OfType<HeadingBlock>().Any(h => h.Level == 2 && string.Equals(MarkdownText.Inline(h.Inline), "SHORT DESCRIPTION", StringComparison.OrdinalIgnoreCase)))
        {
            // Get-Help's list of about topics shows this section as the topic's synopsis.
            problems.Add(new HelpProblem(file, "about topic has no '## SHORT DESCRIPTION' section"));
        }

        var text = new StringBuilder();
        foreach (var block in document)
        {
            if (block == title)
            {
                text.Append("TOPIC\n").Append(TextIndent).Append(topic).Append("\n\n");
            }
            else
            {
                AppendBlock(text, block, TextIndent, TextIndent);
            }
        }

        return text.ToString().TrimEnd('\n') + "\n";
    }

    private static void AppendBlock(StringBuilder text, Block block, string firstIndent, string restIndent)
    {
        switch (block)
        {
            case HeadingBlock heading:
                var headingIndent = heading.Level <= 2 ? "" : TextIndent;
                text.Append(headingIndent).Append(MarkdownText.Inline(heading.Inline).ToUpperInvariant()).Append('\n');
                break;
            case ParagraphBlock paragraph:
                TextWrap.Append(text, MarkdownText.Inline(paragraph.Inline), firstIndent, restIndent);
                text.Append('\n');
                break;
            case CodeBlock code:
                foreach (var line in MarkdownText.Code(code).Split('\n'))
                {
                    text.Append((restIndent + TextIndent + line).TrimEnd()).Append('\n');
                }

                text.Append('\n');
                break;
            case ListBlock list:
                var number = int.TryParse(list.OrderedStart, out var start) ? start : 1;
                foreach (var item in list.OfType<ListItemBlock>())
                {
                    var marker = list.IsOrdered ? $"{number++}. " : "- ";
                    var hanging = restIndent + new string(' ', marker.Length);
                    var first = true;
                    foreach (var child in item)
                    {
                        AppendBlock(text, child, first ? restIndent + marker : hanging, hanging);
                        first = false;
                    }

                    // A tight list (no blank lines between items in the markdown) stays tight on the page.
                    if (!list.IsLoose && EndsWithBlankLine(text))
                    {
                        text.Length--;
                    }
                }

                if (!EndsWithBlankLine(text))
                {
                    text.Append('\n');
                }

                break;
            case Markdig.Extensions.Tables.Table table:
                foreach (var line in TextTable.Lines(table))
                {
                    text.Append((restIndent + line).TrimEnd()).Append('\n');
                }

                text.Append('\n');
                break;
            case QuoteBlock quote:
                foreach (var child in quote)
                {
                    AppendBlock(text, child, restIndent + TextIndent, restIndent + TextIndent);
                }

                break;
            // Front matter, html comments and thematic breaks have no place in a console page.
        }
    }

    private static bool EndsWithBlankLine(StringBuilder text) => text.Length >= 2 && text[^1] == '\n' && text[^2] == '\n';
}
