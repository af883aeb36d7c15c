using System.Xml.Linq;

namespace Replication.HelpCompiler.Tests;

/// <summary>A complete doc compiles to MAML with the elements and values Get-Help reads.</summary>
public sealed class MamlOutputTests : IDisposable
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private readonly DocsFolder _folder = new();
    private readonly XElement _command;

    public MamlOutputTests()
    {
        var result = _folder.With("New-Volume.md", SampleDocs.NewVolume).Compile();
        Assert.Empty(result.Problems);
        var maml = XDocument.Load(_folder.MamlPath);
        Assert.Equal(Msh + "helpItems", maml.Root!.Name);
        Assert.Equal("maml", (string?)maml.Root.Attribute("schema"));
        _command = Assert.Single(maml.Root.Elements(Command + "command"));
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Details_name_the_command_and_carry_the_synopsis()
    {
        var details = _command.Element(Command + "details")!;
        Assert.Equal("New-Volume", details.Element(Command + "name")!.Value);
        Assert.Equal("New", details.Element(Command + "verb")!.Value);
        Assert.Equal("Volume", details.Element(Command + "noun")!.Value);
        Assert.Equal(["Creates a volume."], Paras(details.Element(Maml + "description")));
    }

    [Fact]
    public void Description_is_plain_text_paragraphs_with_a_list_as_one_paragraph()
    {
        Assert.Equal(
            ["The New-Volume cmdlet creates a volume of a volume type on a matching backend.", "- one\n- two"],
            Paras(_command.Element(Maml + "description")));
    }

    [Fact]
    public void Syntax_has_an_item_per_parameter_set_in_the_syntax_line_order()
    {
        var items = _command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
        Assert.Equal(2, items.Count);
        Assert.All(items, item => Assert.Equal("New-Volume", item.Element(Maml + "name")!.Value));
        Assert.Equal(["Name", "SizeBytes", "VolumeType", "WhatIf"], ParameterNames(items[0]));
        Assert.Equal(["Name", "SourceReplica", "WhatIf"], ParameterNames(items[1]));
    }

    [Fact]
    public void Syntax_takes_each_parameters_attributes_from_the_yaml_block_of_its_set()
    {
        var items = _command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
        Assert.Equal("true", (string?)Parameter(items[0], "Name").Attribute("required"));
        Assert.Equal("false", (string?)Parameter(items[1], "Name").Attribute("required"));
        Assert.Equal("0", (string?)Parameter(items[1], "Name").Attribute("position"));
    }

    [Fact]
    public void Syntax_lists_accepted_values_and_gives_a_switch_no_value()
    {
        var newSet = _command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").First();
        var group = Parameter(newSet, "VolumeType").Element(Command + "parameterValueGroup")!;
        Assert.Equal(["gold", "silver"], group.Elements(Command + "parameterValue").Select(v => v.Value));
        Assert.Null(Parameter(newSet, "WhatIf").Element(Command + "parameterValue"));
    }

    [Fact]
    public void Parameters_carry_description_type_default_and_attributes()
    {
        var parameters = _command.Element(Command + "parameters")!;
        Assert.Equal(["Name", "SizeBytes", "VolumeType", "SourceReplica", "WhatIf"], ParameterNames(parameters));

        var name = Parameter(parameters, "Name");
        Assert.Equal(["The name of the volume."], Paras(name.Element(Maml + "description")));
        Assert.Equal("true", (string?)name.Attribute("required"));
        Assert.Equal("0", (string?)name.Attribute("position"));
        Assert.Equal("True (ByPropertyName)", (string?)name.Attribute("pipelineInput"));
        Assert.Equal("false", (string?)name.Attribute("globbing"));
        Assert.Equal("none", (string?)name.Attribute("aliases"));
        Assert.Equal("String", name.Element(Command + "parameterValue")!.Value);
        Assert.Equal("String", name.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("None", name.Element(Dev + "defaultValue")!.Value);

        var volumeType = Parameter(parameters, "VolumeType");
        Assert.Equal("named", (string?)volumeType.Attribute("position"));
        Assert.Equal("true", (string?)volumeType.Attribute("globbing"));
        Assert.Equal("Type", (string?)volumeType.Attribute("aliases"));

        var whatIf = Parameter(parameters, "WhatIf");
        Assert.Equal("false", (string?)whatIf.Attribute("required"));
        Assert.Equal("SwitchParameter", whatIf.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("False", whatIf.Element(Dev + "defaultValue")!.Value);
        Assert.Equal("false", (string?)whatIf.Element(Command + "parameterValue")!.Attribute("required"));
    }

    [Fact]
    public void Inputs_outputs_and_notes_are_written()
    {
        var input = _command.Element(Command + "inputTypes")!.Element(Command + "inputType")!;
        Assert.Equal("System.String", input.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal(["The name, by property name."], Paras(input.Element(Maml + "description")));

        var output = _command.Element(Command + "returnValues")!.Element(Command + "returnValue")!;
        Assert.Equal("Replication.Engine.Model.Volume", output.Element(Dev + "type")!.Element(Maml + "name")!.Value);

        var alert = _command.Element(Maml + "alertSet")!.Element(Maml + "alert");
        Assert.Equal(["Needs both backends online."], Paras(alert));
    }

    [Fact]
    public void Examples_have_a_padded_title_code_and_remarks()
    {
        var examples = _command.Element(Command + "examples")!.Elements(Command + "example").ToList();
        Assert.Equal(2, examples.Count);
        var title = examples[0].Element(Maml + "title")!.Value;
        Assert.Equal("------------------ Example 1: Create a volume ------------------", title);
        Assert.Equal(64, title.Length);
        Assert.Equal("New-Volume -Name db01 -SizeBytes 10GB -VolumeType gold", examples[0].Element(Dev + "code")!.Value);
        // The empty para after the remarks spaces this example from the next one in Get-Help's output.
        Assert.Equal(["Creates db01.", ""], Paras(examples[0].Element(Dev + "remarks")));
        Assert.Empty(Paras(examples[1].Element(Dev + "remarks")));
    }

    [Fact]
    public void Related_links_start_with_the_online_version_and_keep_only_web_addresses()
    {
        var links = _command.Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink")
            .Select(link => (link.Element(Maml + "linkText")!.Value, link.Element(Maml + "uri")!.Value))
            .ToList();
        Assert.Equal(
            [("Online Version:", "https://example.org/help/New-Volume"), ("Get-Volume", ""), ("Replication guide", "https://example.org/guide")],
            links);
    }

    private static List<string> Paras(XElement? container) =>
        container?.Elements(Maml + "para").Select(p => p.Value).ToList() ?? [];

    private static List<string> ParameterNames(XElement container) =>
        container.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value).ToList();

    private static XElement Parameter(XElement container, string name) =>
        container.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == name);
}
