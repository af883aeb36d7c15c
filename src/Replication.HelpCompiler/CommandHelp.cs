namespace Replication.HelpCompiler;

/// <summary>The help of one cmdlet as read from its markdown: plain text, in the shape MAML wants.</summary>
/// <remarks>Every prose field is a list of paragraphs; MAML writes each as its own maml:para.</remarks>
internal sealed class CommandHelp(string sourceFile, string name)
{
    /// <summary>The markdown file, named in every error so the author knows where to look.</summary>
    public string SourceFile { get; } = sourceFile;

    public string Name { get; } = name;

    /// <summary>The front matter's "online version": the address Get-Help -Online opens.</summary>
    public string? OnlineVersion { get; set; }

    /// <summary>The level-2 sections the file has, so a missing section and an empty one get different errors.</summary>
    public HashSet<string> Sections { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<string> Synopsis { get; } = [];

    public List<string> Description { get; } = [];

    public List<SyntaxHelp> Syntax { get; } = [];

    public List<ExampleHelp> Examples { get; } = [];

    public List<ParameterHelp> Parameters { get; } = [];

    public List<TypeHelp> Inputs { get; } = [];

    public List<TypeHelp> Outputs { get; } = [];

    public List<string> Notes { get; } = [];

    public List<LinkHelp> Links { get; } = [];

    public ParameterHelp? FindParameter(string name) =>
        Parameters.Find(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// One parameter set: its name (without PlatyPS's " (Default)" mark, which MAML has no place for) and the parameters
/// its syntax line shows, in that order.
/// </summary>
internal sealed record SyntaxHelp(string ParameterSetName, IReadOnlyList<string> ParameterNames);

/// <summary>An example: the code blocks, and every paragraph around them as remarks.</summary>
internal sealed record ExampleHelp(string Title, IReadOnlyList<string> Code, IReadOnlyList<string> Remarks);

/// <summary>A "### -Name" entry: its description and one metadata block per distinct set of attributes.</summary>
internal sealed class ParameterHelp(string name)
{
    public string Name { get; } = name;

    public List<string> Description { get; } = [];

    /// <summary>Usually one block; PlatyPS writes one per parameter set when e.g. Required differs between sets.</summary>
    public List<ParameterMetadata> Metadata { get; } = [];

    /// <summary>Whether the entry has a ```yaml block at all, readable or not (an unreadable one is reported on its own).</summary>
    public bool HasYamlBlock { get; set; }

    /// <summary>The block that applies in a parameter set, else the first: MAML needs attributes either way.</summary>
    public ParameterMetadata MetadataFor(string parameterSetName) =>
        Metadata.Find(m => m.AppliesTo(parameterSetName)) ?? Metadata[0];
}

/// <summary>An INPUTS or OUTPUTS entry: a type name heading and the text under it.</summary>
internal sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

/// <summary>A RELATED LINKS entry. Uri is empty for links to other markdown files, which Get-Help cannot open.</summary>
internal sealed record LinkHelp(string Text, string Uri);
