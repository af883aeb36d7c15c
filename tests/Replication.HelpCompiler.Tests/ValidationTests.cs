namespace Replication.HelpCompiler.Tests;

/// <summary>Incomplete help fails the compile, names the file and what is missing, and writes nothing.</summary>
public sealed class ValidationTests : IDisposable
{
    private readonly DocsFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("SYNOPSIS")]
    [InlineData("DESCRIPTION")]
    [InlineData("EXAMPLES")]
    [InlineData("SYNTAX")]
    public void A_missing_required_section_fails(string section)
    {
        var problem = SingleProblem(SampleDocs.WithoutSection(SampleDocs.NewVolume, section));
        Assert.Contains($"has no '## {section}' section", problem.Message);
    }

    [Fact]
    public void An_empty_synopsis_fails()
    {
        var problem = SingleProblem(SampleDocs.NewVolume.Replace("Creates a volume.\n", ""));
        Assert.Contains("synopsis is empty", problem.Message);
    }

    [Fact]
    public void A_placeholder_synopsis_fails()
    {
        var problem = SingleProblem(SampleDocs.NewVolume.Replace("Creates a volume.", "{{ Fill in the Synopsis }}"));
        Assert.Contains("synopsis is still the PlatyPS placeholder '{{ Fill in the Synopsis }}'", problem.Message);
    }

    [Fact]
    public void A_placeholder_parameter_description_fails()
    {
        var problem = SingleProblem(SampleDocs.NewVolume.Replace("The size in bytes.", "{{ Fill SizeBytes Description }}"));
        Assert.Contains("parameter -SizeBytes: the description is still the PlatyPS placeholder", problem.Message);
    }

    [Fact]
    public void An_examples_section_without_an_example_fails()
    {
        var start = SampleDocs.NewVolume.IndexOf("### Example 1", StringComparison.Ordinal);
        var end = SampleDocs.NewVolume.IndexOf("## PARAMETERS", StringComparison.Ordinal);
        var problem = SingleProblem(SampleDocs.NewVolume.Remove(start, end - start));
        Assert.Contains("has no example", problem.Message);
    }

    [Fact]
    public void An_example_without_code_fails()
    {
        var problem = SingleProblem(SampleDocs.NewVolume.Replace("```powershell\nNew-Volume -Name db01-test -SourceReplica db01\n```\n", ""));
        Assert.Contains("example 'Example 2: Clone a replica' has no code block", problem.Message);
    }

    [Fact]
    public void A_parameter_in_the_syntax_without_an_entry_fails()
    {
        var start = SampleDocs.NewVolume.IndexOf("### -SourceReplica", StringComparison.Ordinal);
        var end = SampleDocs.NewVolume.IndexOf("### -WhatIf", StringComparison.Ordinal);
        var problem = SingleProblem(SampleDocs.NewVolume.Remove(start, end - start));
        Assert.Contains("syntax (FromReplica) shows -SourceReplica, but '## PARAMETERS' has no '### -SourceReplica' entry", problem.Message);
    }

    [Fact]
    public void An_unknown_key_in_a_parameters_yaml_fails()
    {
        var problem = SingleProblem(SampleDocs.NewVolume.Replace("Aliases: Type", "Alias: Type"));
        Assert.Contains("parameter -VolumeType: unknown key(s) 'Alias'", problem.Message);
    }

    [Fact]
    public void An_unexpected_section_fails()
    {
        var problem = SingleProblem(SampleDocs.NewVolume.Replace("## NOTES", "## NOTE"));
        Assert.Contains("unexpected section '## NOTE'", problem.Message);
    }

    [Fact]
    public void Every_problem_in_every_file_is_reported_and_nothing_is_written()
    {
        _folder.With("New-Volume.md", SampleDocs.WithoutSection(SampleDocs.NewVolume, "DESCRIPTION"))
            .With("Get-Volume.md", SampleDocs.NewVolume.Replace("# New-Volume", "# Get-Volume").Replace("Creates a volume.", "{{ Fill in the Synopsis }}"));
        var result = _folder.Compile();
        Assert.Equal(2, result.Problems.Count);
        Assert.Contains(result.Problems, p => p.File.EndsWith("New-Volume.md", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.File.EndsWith("Get-Volume.md", StringComparison.Ordinal));
        Assert.False(Directory.Exists(_folder.Output));
    }

    [Fact]
    public void The_command_line_exits_non_zero_and_prints_file_and_problem()
    {
        _folder.With("New-Volume.md", SampleDocs.WithoutSection(SampleDocs.NewVolume, "SYNOPSIS"));
        var (output, errors) = (new StringWriter(), new StringWriter());
        var exitCode = Program.Run([_folder.Docs, _folder.Output, "Replication.PowerShell"], output, errors);
        Assert.Equal(1, exitCode);
        Assert.Contains(Path.Combine(_folder.Docs, "New-Volume.md") + ": error: New-Volume has no '## SYNOPSIS' section", errors.ToString());
    }

    [Fact]
    public void The_command_line_exits_zero_and_names_what_it_wrote()
    {
        _folder.With("New-Volume.md", SampleDocs.NewVolume).With("about_Replication_PowerShell.md", SampleDocs.AboutTopic);
        var (output, errors) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, Program.Run([_folder.Docs, _folder.Output, "Replication.PowerShell"], output, errors));
        Assert.Contains(_folder.MamlPath, output.ToString());
        Assert.Contains(Path.Combine(_folder.Output, "about_Replication_PowerShell.help.txt"), output.ToString());
        Assert.Equal("", errors.ToString());
    }

    private HelpProblem SingleProblem(string markdown)
    {
        var problem = Assert.Single(_folder.With("New-Volume.md", markdown).Compile().Problems);
        Assert.EndsWith("New-Volume.md", problem.File, StringComparison.Ordinal);
        return problem;
    }
}
