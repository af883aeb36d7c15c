using System.Xml;
using System.Xml.Linq;

namespace Replication.HelpCompiler;

/// <summary>
/// Writes the MAML help file (Module.dll-Help.xml) that Get-Help reads for a binary module's cmdlets, element for
/// element as PlatyPS's New-ExternalHelp writes it (Markdown.MAML's MamlRenderer), so it reads the same.
/// </summary>
internal static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument ToMaml(IEnumerable<CommandHelp> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems",
                new XAttribute("schema", "maml"),
                commands.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Select(CommandElement)));

    public static void Save(XDocument maml, string path)
    {
        // "\n" whatever the build machine, so the file is the same from every build.
        var settings = new XmlWriterSettings { Indent = true, NewLineChars = "\n", Encoding = new System.Text.UTF8Encoding(false) };
        using var writer = XmlWriter.Create(path, settings);
        maml.Save(writer);
    }

    private static XElement CommandElement(CommandHelp help)
    {
        var dash = help.Name.IndexOf('-');
        var verb = dash < 0 ? help.Name : help.Name[..dash];
        var noun = dash < 0 ? "" : help.Name[(dash + 1)..];
        return new XElement(Command + "command",
            // Declared on each command, as PlatyPS writes them, so every command:command stands alone.
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", help.Name),
                new XElement(Command + "verb", verb),
                new XElement(Command + "noun", noun),
                new XElement(Maml + "description", Paragraphs(help.Synopsis))),
            new XElement(Maml + "description", Paragraphs(help.Description)),
            new XElement(Command + "syntax", help.Syntax.Select(set => SyntaxItem(help, set))),
            new XElement(Command + "parameters", help.Parameters.Where(p => p.Metadata.Count > 0).Select(p => Parameter(p, p.Metadata[0], inSyntax: false))),
            new XElement(Command + "inputTypes", help.Inputs.Select(type => TypeEntry("inputType", type))),
            new XElement(Command + "returnValues", help.Outputs.Select(type => TypeEntry("returnValue", type))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select((example, i) => Example(example, isLast: i == help.Examples.Count - 1))),
            new XElement(Command + "relatedLinks", Links(help).Select(Link)));
    }

    private static XElement SyntaxItem(CommandHelp help, SyntaxHelp set) =>
        new(Command + "syntaxItem",
            new XElement(Maml + "name", help.Name),
            // Parameters in the order the markdown's syntax line shows them; each with its attributes in this set.
            set.ParameterNames.Select(help.FindParameter).OfType<ParameterHelp>().Where(p => p.Metadata.Count > 0)
                .Select(p => Parameter(p, p.MetadataFor(set.ParameterSetName), inSyntax: true)));

    private static XElement Parameter(ParameterHelp parameter, ParameterMetadata metadata, bool inSyntax)
    {
        var type = metadata.IsSwitch ? "SwitchParameter" : metadata.Type;
        return new XElement(Command + "parameter",
            new XAttribute("required", Lower(metadata.Required)),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", Lower(metadata.Globbing)),
            new XAttribute("pipelineInput", metadata.PipelineInput),
            new XAttribute("position", metadata.Position),
            new XAttribute("aliases", metadata.Aliases.Count > 0 ? string.Join(", ", metadata.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name),
            new XElement(Maml + "description", Paragraphs(parameter.Description)),
            // Get-Help shows accepted values in the syntax as "-Name {A | B}".
            inSyntax && metadata.AcceptedValues.Count > 0
                ? new XElement(Command + "parameterValueGroup", metadata.AcceptedValues.Select(value =>
                    new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute(Command + "variableLength", "false"), value)))
                : null,
            // A switch takes no value: the syntax shows "[-Force]" rather than "[-Force <SwitchParameter>]".
            inSyntax && metadata.IsSwitch
                ? null
                : new XElement(Command + "parameterValue", new XAttribute("required", Lower(!metadata.IsSwitch)), new XAttribute("variableLength", "false"), type),
            new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", metadata.IsSwitch && metadata.DefaultValue == "None" ? "False" : metadata.DefaultValue));
    }

    private static XElement TypeEntry(string elementName, TypeHelp type) =>
        new(Command + elementName,
            new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
            new XElement(Maml + "description", Paragraphs(type.Description)));

    private static XElement Example(ExampleHelp example, bool isLast) =>
        new(Command + "example",
            new XElement(Maml + "title", PadExampleTitle(example.Title)),
            new XElement(Dev + "code", string.Join("\n\n", example.Code)),
            new XElement(Dev + "remarks",
                Paragraphs(example.Remarks),
                // Get-Help prints the next example's title right under the last remark; an empty para parts them.
                isLast ? null : new XElement(Maml + "para")));

    /// <summary>
    /// The front matter's online version goes first, as "Online Version:": Get-Help -Online opens the first link's uri.
    /// </summary>
    private static IEnumerable<LinkHelp> Links(CommandHelp help) =>
        help.OnlineVersion is { } online && MarkdownText.IsWebAddress(online)
            ? help.Links.Where(link => link.Uri != online).Prepend(new LinkHelp("Online Version:", online))
            : help.Links;

    private static XElement Link(LinkHelp link) =>
        new(Maml + "navigationLink", new XElement(Maml + "linkText", link.Text), new XElement(Maml + "uri", link.Uri));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
        paragraphs.Select(text => new XElement(Maml + "para", text));

    /// <summary>"---------- Example 1: Title ----------", 64 wide, as PowerShell's own help titles its examples.</summary>
    private static string PadExampleTitle(string title)
    {
        if (title.Length >= 62)
        {
            return title;
        }

        var dashes = new string('-', (64 - title.Length - 2) / 2);
        return $"{dashes} {title} {dashes}";
    }

    private static string Lower(bool value) => value ? "true" : "false";
}
