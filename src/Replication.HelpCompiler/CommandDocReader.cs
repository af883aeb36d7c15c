using System.Text.RegularExpressions;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using YamlDotNet.Serialization;

namespace Replication.HelpCompiler;

/// <summary>
/// Reads a cmdlet's PlatyPS markdown (schema 2.0.0) into a <see cref="CommandHelp"/>, walking Markdig's syntax tree.
/// It reports what it cannot read; whether what it read is complete is <see cref="HelpRules"/>' question.
/// </summary>
internal static partial class CommandDocReader
{
    public const string SupportedSchema = "2.0.0";

    /// <summary>The set name PlatyPS gives a cmdlet with a single, unnamed parameter set.</summary>
    public const string AllParameterSetsName = "__AllParameterSets";

    private const string DefaultSetSuffix = "(Default)";

    public static CommandHelp? Read(string file, string markdown, List<HelpProblem> problems)
    {
        var document = MarkdownText.Parse(markdown);
        var outline = DocumentOutline.Of(document);
        if (outline.Title is null)
        {
            problems.Add(new HelpProblem(file, "no '# Verb-Noun' title heading naming the cmdlet"));
            return null;
        }

        var help = new CommandHelp(file, MarkdownText.Inline(outline.Title.Inline));
        ReadFrontMatter(document, help, problems);
        foreach (var section in outline.Sections)
        {
            help.Sections.Add(section.Title);
            ReadSection(section, help, problems);
        }

        return help;
    }

    private static void ReadSection(OutlineSection section, CommandHelp help, List<HelpProblem> problems)
    {
        switch (section.Title.ToUpperInvariant())
        {
            case "SYNOPSIS":
                help.Synopsis.AddRange(AllParagraphs(section));
                break;
            case "SYNTAX":
                ReadSyntax(section, help);
                break;
            case "DESCRIPTION":
                help.Description.AddRange(AllParagraphs(section));
                break;
            case "EXAMPLES":
                help.Examples.AddRange(section.Entries.Select(ReadExample));
                break;
            case "PARAMETERS":
                foreach (var entry in section.Entries)
                {
                    ReadParameter(entry, help, problems);
                }

                break;
            case "INPUTS":
                help.Inputs.AddRange(ReadTypes(section));
                break;
            case "OUTPUTS":
                help.Outputs.AddRange(ReadTypes(section));
                break;
            case "NOTES":
                help.Notes.AddRange(AllParagraphs(section));
                break;
            case "RELATED LINKS":
                help.Links.AddRange(ReadLinks(section));
                break;
            default:
                problems.Add(new HelpProblem(help.SourceFile,
                    $"unexpected section '## {section.Title}' (line {section.Heading.Line + 1}); PlatyPS sections are SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED LINKS"));
                break;
        }
    }

    private static void ReadFrontMatter(MarkdownDocument document, CommandHelp help, List<HelpProblem> problems)
    {
        if (document.Descendants<YamlFrontMatterBlock>().FirstOrDefault() is not { } frontMatter)
        {
            return;
        }

        Dictionary<string, object?> values;
        try
        {
            values = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(frontMatter.Lines.ToString()) ?? [];
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            problems.Add(new HelpProblem(help.SourceFile, $"invalid yaml front matter ({e.Message})"));
            return;
        }

        string? Value(string key) => values.TryGetValue(key, out var value) && value is string text && text.Length > 0 ? text : null;
        help.OnlineVersion = Value("online version");
        if (Value("schema") is { } schema && schema != SupportedSchema)
        {
            problems.Add(new HelpProblem(help.SourceFile, $"front matter says schema {schema}; only PlatyPS schema {SupportedSchema} is supported"));
        }
    }

    private static void ReadSyntax(OutlineSection section, CommandHelp help)
    {
        // A single parameter set may be written without a "### Name" heading: a bare code block under ## SYNTAX.
        if (section.Entries.Count == 0 && section.Body.OfType<CodeBlock>().FirstOrDefault() is { } bare)
        {
            help.Syntax.Add(new SyntaxHelp(AllParameterSetsName, ParameterNamesIn(MarkdownText.Code(bare))));
            return;
        }

        foreach (var entry in section.Entries)
        {
            var name = entry.Title.EndsWith(DefaultSetSuffix, StringComparison.OrdinalIgnoreCase)
                ? entry.Title[..^DefaultSetSuffix.Length].Trim()
                : entry.Title;
            var code = entry.Blocks.OfType<CodeBlock>().Select(MarkdownText.Code).FirstOrDefault() ?? "";
            help.Syntax.Add(new SyntaxHelp(name, ParameterNamesIn(code)));
        }
    }

    /// <summary>The parameter names in a syntax line such as "New-Volume [-Name] &lt;String&gt; [-Force] [&lt;CommonParameters&gt;]".</summary>
    private static List<string> ParameterNamesIn(string syntaxLine) =>
        SyntaxParameter().Matches(syntaxLine).Select(m => m.Groups["name"].Value).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    // A dash that starts a word: "-Name" after "[" or a space, but not the "-" inside "New-Volume".
    [GeneratedRegex(@"(?<![\w-])-(?<name>[A-Za-z_]\w*)")]
    private static partial Regex SyntaxParameter();

    private static ExampleHelp ReadExample(OutlineEntry entry)
    {
        // MAML has no place for text before the code, so every paragraph around the code becomes a remark.
        var code = entry.Blocks.OfType<CodeBlock>().Select(MarkdownText.Code).ToList();
        var remarks = MarkdownText.Paragraphs(entry.Blocks.Where(block => block is not CodeBlock));
        return new ExampleHelp(entry.Title, code, remarks);
    }

    private static void ReadParameter(OutlineEntry entry, CommandHelp help, List<HelpProblem> problems)
    {
        var name = entry.Title.TrimStart('-').Trim();
        // "### CommonParameters" is boilerplate every cmdlet shares; Get-Help prints its own text for it.
        if (!entry.Title.StartsWith('-') && name is "CommonParameters" or "WorkflowParameters")
        {
            return;
        }

        var parameter = new ParameterHelp(name);
        foreach (var block in entry.Blocks)
        {
            if (block is FencedCodeBlock fenced && string.Equals(fenced.Info, "yaml", StringComparison.OrdinalIgnoreCase))
            {
                parameter.HasYamlBlock = true;
                try
                {
                    parameter.Metadata.Add(ParameterMetadata.Parse(MarkdownText.Code(fenced)));
                }
                catch (FormatException e)
                {
                    problems.Add(new HelpProblem(help.SourceFile, $"parameter -{name}: {e.Message} (yaml block at line {fenced.Line + 1})"));
                }
            }
            else
            {
                parameter.Description.AddRange(MarkdownText.Paragraphs([block]));
            }
        }

        help.Parameters.Add(parameter);
    }

    private static IEnumerable<TypeHelp> ReadTypes(OutlineSection section)
    {
        // "## INPUTS" followed by a bare paragraph ("None.") rather than "### TypeName": the paragraph names the type.
        var bare = MarkdownText.Paragraphs(section.Body);
        if (bare.Count > 0)
        {
            yield return new TypeHelp(bare[0], bare.Skip(1).ToList());
        }

        foreach (var entry in section.Entries)
        {
            yield return new TypeHelp(entry.Title, MarkdownText.Paragraphs(entry.Blocks));
        }
    }

    private static IEnumerable<LinkHelp> ReadLinks(OutlineSection section)
    {
        // Markdig's Descendants does not step from a block into its inlines, so walk each leaf block's inlines.
        var leaves = section.Body.SelectMany(block => block is LeafBlock leaf ? [leaf] : block.Descendants<LeafBlock>());
        foreach (var leaf in leaves)
        {
            foreach (var inline in leaf.Inline?.Descendants<Inline>() ?? [])
            {
                switch (inline)
                {
                    case LinkInline { IsImage: false } link:
                        // Get-Help can only open absolute addresses; a link to another .md keeps its text only.
                        var uri = MarkdownText.IsWebAddress(link.Url) ? link.Url! : "";
                        yield return new LinkHelp(MarkdownText.Inline(link), uri);
                        break;
                    case AutolinkInline autolink:
                        yield return new LinkHelp(autolink.Url, MarkdownText.IsWebAddress(autolink.Url) ? autolink.Url : "");
                        break;
                }
            }
        }
    }

    /// <summary>A prose section's body, with any "###" sub-headings kept as paragraphs of their own.</summary>
    private static List<string> AllParagraphs(OutlineSection section)
    {
        var paragraphs = MarkdownText.Paragraphs(section.Body);
        foreach (var entry in section.Entries)
        {
            paragraphs.Add(entry.Title);
            paragraphs.AddRange(MarkdownText.Paragraphs(entry.Blocks));
        }

        return paragraphs;
    }
}
