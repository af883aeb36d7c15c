namespace Replication.HelpCompiler.Tests;

/// <summary>An about topic renders as the plain text PowerShell's own about_*.help.txt files are.</summary>
public sealed class AboutTopicTests
{
    private const string File = "about_Replication_PowerShell.md";

    [Fact]
    public void Renders_headings_in_upper_case_text_wrapped_at_80_and_code_indented()
    {
        var problems = new List<HelpProblem>();
        var text = AboutTopicWriter.Render(File, SampleDocs.AboutTopic, problems);
        Assert.Empty(problems);
        Assert.Equal(
            """
            TOPIC
                about_Replication_PowerShell

            SHORT DESCRIPTION
                Describes volume replication.

            LONG DESCRIPTION
                Replication.PowerShell manages OpenStack Cinder-style volume replication
                between storage backends, with placement by capability and failover by
                promotion.

                FAILOVER
                - Promote the replica.
                - Re-enable replication, which resyncs the old primary from the new one.

                    Get-Volume db* | Get-VolumeReplica | Invoke-ReplicaPromotion -Force

            SEE ALSO
                Get-Help New-Volume

            """,
            text);
    }

    [Fact]
    public void Long_list_items_wrap_with_a_hanging_indent_and_no_line_passes_80_columns()
    {
        var words = string.Join(' ', Enumerable.Repeat("replication", 20));
        var markdown = $"# about_Replication_PowerShell\n\n## SHORT DESCRIPTION\n{words}\n\n- {words}\n";
        var lines = AboutTopicWriter.Render(File, markdown, []).Split('\n');
        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        var item = Array.FindIndex(lines, line => line.StartsWith("    - ", StringComparison.Ordinal));
        Assert.StartsWith("      replication", lines[item + 1]);
    }

    [Fact]
    public void Pipe_tables_render_as_aligned_columns_with_an_underlined_header()
    {
        var markdown = "# about_Replication_PowerShell\n\n## SHORT DESCRIPTION\nStatuses.\n\n" +
            "| status | allowed next |\n|---|---|\n| `active` | active-stopped, inactive |\n| error | copying |\n";

        var text = AboutTopicWriter.Render(File, markdown, []);

        Assert.Contains(
            "    status  allowed next\n" +
            "    ------  ------------------------\n" +
            "    active  active-stopped, inactive\n" +
            "    error   copying\n",
            text);
    }

    [Fact]
    public void A_topic_whose_heading_is_not_its_file_name_fails()
    {
        var problems = new List<HelpProblem>();
        AboutTopicWriter.Render(File, SampleDocs.AboutTopic.Replace("# about_Replication_PowerShell", "# about_Other"), problems);
        Assert.Contains("starts with '# about_Replication_PowerShell'", Assert.Single(problems).Message);
    }

    [Fact]
    public void A_topic_without_a_short_description_fails()
    {
        var problems = new List<HelpProblem>();
        AboutTopicWriter.Render(File, SampleDocs.AboutTopic.Replace("## SHORT DESCRIPTION", "## SUMMARY"), problems);
        Assert.Contains("no '## SHORT DESCRIPTION'", Assert.Single(problems).Message);
    }
}
