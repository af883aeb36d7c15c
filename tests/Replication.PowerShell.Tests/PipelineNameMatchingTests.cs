using System.Linq;

namespace Replication.PowerShell.Tests;

/// <summary>
/// Names piped into a Get- cmdlet are looked up by key, then (past the first few) in one listing: either way each
/// name matches what it matched given alone, with the same errors, in the same order.
/// </summary>
public sealed class PipelineNameMatchingTests
{
    [Theory]
    [InlineData("Get-Volume", "Name")]
    [InlineData("Get-VolumeReplica", "VolumeName")]
    public void Names_piped_past_the_keyed_lookups_match_as_each_name_alone(string command, string property)
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.Script("1..40 | ForEach-Object { [pscustomobject]@{ Name = 'db{0:D2}' -f $_; SizeBytes = 1MB; VolumeType = 'replicated' } } | New-Volume | Out-Null").AssertNoErrors();
        var names = new[] { "db01", "DB01", "db`02", "db0*", "missing" }
            .Concat(Enumerable.Range(1, 40).Select(i => $"db{i:D2}"))
            .Concat(new[] { "DB`03", "nope", "d?40", "db40" })
            .Cast<object?>().ToArray();

        var piped = host.Script($"$args | {command} | ForEach-Object {property}", names);
        var alone = host.Script($"foreach ($name in $args) {{ {command} -Name $name | ForEach-Object {property} }}", names);

        Assert.Equal(49, names.Length);
        Assert.Equal(alone.Objects, piped.Objects);
        Assert.Equal(Describe(alone), Describe(piped));
        Assert.Equal(new object[] { "missing", "nope" }, piped.Errors.Select(e => e.TargetObject).ToArray());
    }

    private static string[] Describe(InvocationResult result) =>
        result.Errors.Select(e => $"{e.FullyQualifiedErrorId} {e.CategoryInfo.Category} {e.TargetObject} {e.Exception.Message}").ToArray();
}
