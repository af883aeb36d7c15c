using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Replication.Engine.Model;
using Replication.PowerShell.Infrastructure;

namespace Replication.PowerShell.Tests;

/// <summary>Which state file a session uses, and what the cmdlets tell about their decisions.</summary>
public sealed class SessionTests
{
    [Fact]
    public void Set_ReplicationStateStore_applies_to_its_own_runspace_only()
    {
        using var first = new CmdletHost();
        using var second = new CmdletHost();

        Parallel.Invoke(
            () =>
            {
                first.AddStory();
                first.NewVolume("only-in-first");
            },
            () =>
            {
                second.AddStory();
                second.NewVolume("only-in-second", "plain");
            });

        Assert.Equal(new object[] { "only-in-first" }, first.Script("(Get-Volume).Name").Objects);
        Assert.Equal(new object[] { "only-in-second" }, second.Script("(Get-Volume).Name").Objects);
        var store = Assert.IsType<StateStoreInfo>(Assert.Single(first.Script("Get-ReplicationStateStore").Objects));
        Assert.Equal(first.StatePath, store.Path);
        Assert.Equal("Session", store.Source);
        Assert.True(store.Exists);
        Assert.True(File.Exists(second.StatePath));
    }

    [Fact]
    public void A_path_that_cannot_hold_a_state_file_is_refused_and_the_session_keeps_its_store()
    {
        using var host = new CmdletHost();
        host.AddStory();
        var notADatabase = Path.Combine(host.Root, "notes.txt");
        File.WriteAllText(notADatabase, "this is not a state file");

        var result = host.Command("Set-ReplicationStateStore", new System.Collections.Hashtable { ["Path"] = notADatabase });

        Assert.NotNull(result.Terminating);
        Assert.Equal("StateStoreCorrupt,Replication.PowerShell.Commands.SetReplicationStateStoreCommand", result.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, result.Terminating.ErrorRecord.CategoryInfo.Category);
        Assert.Equal("this is not a state file", File.ReadAllText(notADatabase));
        Assert.Equal(host.StatePath, ((StateStoreInfo)host.Script("Get-ReplicationStateStore").Objects.Single()).Path);
        Assert.Equal(2, host.Script("Get-StorageBackend").Output.Count);
    }

    [Fact]
    public void New_Volume_Verbose_tells_which_backend_was_chosen_and_why_the_other_was_not()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.Script("New-ReplicatedVolumeType -Name on-dc2 -ExtraSpec @{ volume_backend_name = 'dc2' } | Out-Null").AssertNoErrors();

        var result = host.Script("New-Volume -Name db01 -SizeBytes 64MB -VolumeType on-dc2 -Verbose");

        result.AssertNoErrors();
        Assert.Equal("dc2", Assert.IsType<Volume>(Assert.Single(result.Objects)).Backend);
        Assert.Contains(result.Verbose, m => m.Contains("'dc1'") && m.Contains("volume_backend_name"));
        Assert.Contains(result.Verbose, m => m.Contains("Chose 'dc2'"));
        Assert.Contains(result.Verbose, m => m.Contains("replica") && m.Contains("'dc1'"));
    }

    [Fact]
    public void A_description_that_is_too_long_is_not_reported_as_an_invalid_name()
    {
        using var host = new CmdletHost();
        host.AddStory();

        var result = host.Script("New-VolumeType -Name gold -Description ('x' * 300)");

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("description", error.Exception.Message, System.StringComparison.OrdinalIgnoreCase);
        Assert.False(error.FullyQualifiedErrorId.StartsWith("InvalidName,", System.StringComparison.Ordinal),
            $"The name 'gold' is valid; the ErrorId should name the description, not '{error.FullyQualifiedErrorId}'.");
    }

    [Fact]
    public void A_capability_given_as_a_hashtable_is_refused_in_the_user_s_words()
    {
        using var host = new CmdletHost();

        var result = host.Script("New-StorageBackend -Name dc1 -Path $args[0] -Capability @{ tier = @{ level = 1 } }", host.Dc1);

        var error = Assert.Single(result.Errors);
        Assert.Equal("InvalidCapability,Replication.PowerShell.Commands.NewStorageBackendCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.DoesNotContain("DictionaryEntry", error.Exception.Message);
        Assert.False(Directory.Exists(host.Dc1), "Refused input created the backend folder.");
    }
}
