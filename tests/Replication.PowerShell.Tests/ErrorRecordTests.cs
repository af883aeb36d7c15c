using System.Linq;
using System.Management.Automation;
using Replication.Engine.Model;

namespace Replication.PowerShell.Tests;

/// <summary>Errors as scripts see them: stable FullyQualifiedErrorId, a specific category, the target, and -ErrorAction honoured.</summary>
public sealed class ErrorRecordTests
{
    private const string Commands = "Replication.PowerShell.Commands.";

    [Theory]
    [InlineData("Get-Volume -Name nosuch", "VolumeNotFound", "GetVolumeCommand")]
    [InlineData("Get-VolumeReplica -Name nosuch", "VolumeNotFound", "GetVolumeReplicaCommand")]
    [InlineData("Get-VolumeConnection -Name nosuch", "VolumeNotFound", "GetVolumeConnectionCommand")]
    [InlineData("Get-VolumeType -Name nosuch", "VolumeTypeNotFound", "GetVolumeTypeCommand")]
    [InlineData("Get-StorageBackend -Name nosuch", "BackendNotFound", "GetStorageBackendCommand")]
    [InlineData("Sync-VolumeReplica -Name nosuch", "VolumeNotFound", "SyncVolumeReplicaCommand")]
    [InlineData("Invoke-ReplicaPromotion -Name nosuch -Force", "VolumeNotFound", "InvokeReplicaPromotionCommand")]
    [InlineData("Enable-Replication -Name nosuch -Force", "VolumeNotFound", "EnableReplicationCommand")]
    [InlineData("Disable-Replication -Name nosuch -Force", "VolumeNotFound", "DisableReplicationCommand")]
    [InlineData("Remove-Volume -Name nosuch -Force", "VolumeNotFound", "RemoveVolumeCommand")]
    [InlineData("Remove-VolumeType -Name nosuch", "VolumeTypeNotFound", "RemoveVolumeTypeCommand")]
    [InlineData("Remove-StorageBackend -Name nosuch", "BackendNotFound", "RemoveStorageBackendCommand")]
    [InlineData("New-Volume -Name t01 -SourceReplica nosuch", "VolumeNotFound", "NewVolumeCommand")]
    [InlineData("New-Volume -Name t01 -SizeBytes 64MB -VolumeType nosuch", "VolumeTypeNotFound", "NewVolumeCommand")]
    [InlineData("Stop-VolumeExport -Name nosuch -Force", "VolumeNotFound", "StopVolumeExportCommand")]
    [InlineData("Get-VolumeExport -Name nosuch", "ExportNotFound", "GetVolumeExportCommand")]
    public void A_literal_name_that_matches_nothing_is_an_ObjectNotFound_error(string script, string errorId, string command)
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        var before = host.Snapshot();

        var result = host.Script(script);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal(errorId + "," + Commands + command, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("nosuch", error.Exception.Message);
        Assert.IsNotType<ActionPreferenceStopException>(error.Exception);
        Assert.Equal(before, host.Snapshot());
    }

    [Fact]
    public void Start_VolumeExport_in_a_host_that_is_not_pwsh_says_to_run_it_from_pwsh_or_with_Wait()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        var before = host.Snapshot();

        var result = host.Script("Start-VolumeExport -Name db01 -Port 0 -Confirm:$false");

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal("ExportServiceFailed," + Commands + "StartVolumeExportCommand", error.FullyQualifiedErrorId);
        Assert.Contains("-Wait", error.Exception.Message);
        Assert.Equal(before, host.Snapshot());
    }

    [Theory]
    [InlineData("Get-Volume -Name 'zz*'")]
    [InlineData("Get-VolumeReplica -Name 'zz*'")]
    [InlineData("Get-VolumeType -Name 'zz*'")]
    [InlineData("Get-StorageBackend -Name 'zz*'")]
    [InlineData("Get-Volume -Name 'db0[5-9]'")]
    public void A_wildcard_that_matches_nothing_returns_nothing_and_no_error(string script)
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");

        var result = host.Script(script);

        result.AssertNoErrors();
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("Get-Volume")]
    [InlineData("Get-VolumeReplica")]
    [InlineData("Get-VolumeType")]
    [InlineData("Get-StorageBackend")]
    public void Get_with_no_name_returns_everything(string cmdlet)
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.NewVolume("web01", "plain");

        var result = host.Command(cmdlet);

        result.AssertNoErrors();
        Assert.Equal(2, result.Output.Count);
    }

    [Theory]
    [InlineData("New-Volume -Name 'bad/name' -SizeBytes 64MB -VolumeType plain", "NewVolumeCommand", "bad/name")]
    [InlineData("New-Volume -Name 'db*' -SizeBytes 64MB -VolumeType plain", "NewVolumeCommand", "db*")]
    [InlineData("New-VolumeType -Name 'gold tier'", "NewVolumeTypeCommand", "gold tier")]
    [InlineData("New-ReplicatedVolumeType -Name '../up'", "NewReplicatedVolumeTypeCommand", "../up")]
    [InlineData("New-StorageBackend -Name 'dc 3' -Path $args[0]", "NewStorageBackendCommand", "dc 3")]
    public void An_invalid_name_is_an_InvalidArgument_error_and_changes_nothing(string script, string command, string name)
    {
        using var host = new CmdletHost();
        host.AddStory();
        var before = host.Snapshot();

        var result = host.Script(script, System.IO.Path.Combine(host.Root, "dc3"));

        Assert.Null(result.Terminating);
        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal("InvalidName," + Commands + command, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(name, error.TargetObject);
        Assert.Equal(before, host.Snapshot());
    }

    [Fact]
    public void A_refused_promotion_is_an_InvalidOperation_error_that_names_the_rule()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.Script("Invoke-ReplicaPromotion -Name db01 -Force | Out-Null").AssertNoErrors();
        var before = host.Snapshot();

        var result = host.Script("Invoke-ReplicaPromotion -Name db01 -Planned -Force");

        Assert.Null(result.Terminating);
        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal("PromotionNotAllowed," + Commands + "InvokeReplicaPromotionCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
        Assert.Equal("db01", error.TargetObject);
        Assert.StartsWith("Rule:", error.Exception.Message);
        Assert.Contains("inactive", error.Exception.Message);
        Assert.Equal(before, host.Snapshot());
    }

    [Fact]
    public void A_promotion_of_a_volume_without_replica_is_refused_with_InvalidOperation()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("web01", "plain");

        var result = host.Command("Invoke-ReplicaPromotion", new System.Collections.Hashtable { ["Name"] = new[] { "web01" }, ["Force"] = true });

        var error = Assert.Single(result.Errors);
        Assert.Equal("PromotionNotAllowed," + Commands + "InvokeReplicaPromotionCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
        Assert.Contains("Rule:", error.Exception.Message);
    }

    [Fact]
    public void ErrorAction_Stop_turns_a_per_item_error_into_a_terminating_one_and_stops_the_rest()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.NewVolume("db02");
        var generation = host.Script("(Get-VolumeReplica db02).SyncGeneration");

        var result = host.Script("Sync-VolumeReplica -Name db01, nosuch, db02 -ErrorAction Stop; 'not reached'");

        Assert.NotNull(result.Terminating);
        Assert.IsAssignableFrom<ActionPreferenceStopException>(result.Terminating);
        Assert.Equal("VolumeNotFound," + Commands + "SyncVolumeReplicaCommand", result.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, result.Terminating.ErrorRecord.CategoryInfo.Category);
        Assert.DoesNotContain(result.Objects, o => Equals(o, "not reached"));
        // db01 came first and was synced; db02 came after the stop and was not.
        Assert.Equal(generation.Objects.Single(), host.Script("(Get-VolumeReplica db02).SyncGeneration").Objects.Single());
        Assert.True((long)host.Script("(Get-VolumeReplica db01).SyncGeneration").Objects.Single() > (long)generation.Objects.Single());
    }

    [Theory]
    [InlineData("Get-VolumeReplica -Name nosuch -ErrorAction Stop", "VolumeNotFound,Replication.PowerShell.Commands.GetVolumeReplicaCommand")]
    [InlineData("Remove-Volume -Name nosuch -Force -ErrorAction Stop", "VolumeNotFound,Replication.PowerShell.Commands.RemoveVolumeCommand")]
    [InlineData("Invoke-ReplicaPromotion -Name web01 -Force -ErrorAction Stop", "PromotionNotAllowed,Replication.PowerShell.Commands.InvokeReplicaPromotionCommand")]
    [InlineData("New-Volume -Name 'bad/name' -SizeBytes 64MB -VolumeType plain -ErrorAction Stop", "InvalidName,Replication.PowerShell.Commands.NewVolumeCommand")]
    public void ErrorAction_Stop_can_be_caught_with_the_same_ErrorId(string command, string errorId)
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("web01", "plain");

        var result = host.Script($"try {{ {command}; 'not reached' }} catch {{ 'caught ' + $_.FullyQualifiedErrorId }}");

        result.AssertNoErrors();
        Assert.Equal(new object[] { "caught " + errorId }, result.Objects);
    }

    [Theory]
    [InlineData("Get-Volume", "VolumeNotFound", "GetVolumeCommand", typeof(Volume))]
    [InlineData("Get-VolumeReplica", "VolumeNotFound", "GetVolumeReplicaCommand", typeof(VolumeReplica))]
    [InlineData("Get-VolumeConnection", "VolumeNotFound", "GetVolumeConnectionCommand", typeof(VolumeConnection))]
    [InlineData("Sync-VolumeReplica", "VolumeNotFound", "SyncVolumeReplicaCommand", typeof(SyncResult))]
    [InlineData("Disable-Replication -Force -PassThru", "VolumeNotFound", "DisableReplicationCommand", typeof(VolumeReplica))]
    [InlineData("Invoke-ReplicaPromotion -Force", "VolumeNotFound", "InvokeReplicaPromotionCommand", typeof(PromotionResult))]
    public void A_pipeline_of_three_names_with_the_middle_one_missing_still_processes_the_other_two(string command, string errorId, string cmdletClass, System.Type outputType)
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.NewVolume("db02");

        var result = host.Script($"'db01', 'nosuch', 'db02' | {command}");

        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.Equal(errorId + "," + Commands + cmdletClass, error.FullyQualifiedErrorId);
        Assert.Equal("nosuch", error.TargetObject);
        Assert.Equal(2, result.Output.Count);
        Assert.All(result.Objects, o => Assert.IsType(outputType, o));
        Assert.Equal(new[] { "db01", "db02" }, result.Output.Select(o => (o.Properties["VolumeName"] ?? o.Properties["Name"])!.Value).ToArray());
    }

    [Fact]
    public void Remove_Volume_with_the_middle_name_missing_removes_the_other_two()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.NewVolume("db02");
        host.NewVolume("db03");

        var result = host.Script("'db01', 'nosuch', 'db02' | Remove-Volume -Force");

        var error = Assert.Single(result.Errors);
        Assert.Equal("VolumeNotFound," + Commands + "RemoveVolumeCommand", error.FullyQualifiedErrorId);
        Assert.Equal(new object[] { "db03" }, host.Script("(Get-Volume).Name").Objects);
        Assert.Equal(2, System.IO.Directory.GetFiles(host.Root, "*.img", System.IO.SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void A_Name_array_with_the_middle_one_missing_behaves_like_the_pipeline()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.NewVolume("db02");

        var result = host.Command("Get-VolumeReplica", new System.Collections.Hashtable { ["Name"] = new[] { "db01", "nosuch", "db02" } });

        var error = Assert.Single(result.Errors);
        Assert.Equal("VolumeNotFound," + Commands + "GetVolumeReplicaCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(new[] { "db01", "db02" }, result.Objects.Cast<VolumeReplica>().Select(r => r.VolumeName).ToArray());
    }

    [Theory]
    [InlineData("Remove-Volume -Name db01")]
    [InlineData("Invoke-ReplicaPromotion -Name db01")]
    [InlineData("Invoke-ReplicaPromotion -Name db01 -Planned")]
    public void A_high_impact_cmdlet_without_Force_or_Confirm_false_asks_first_and_changes_nothing_when_it_cannot(string script)
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        var before = host.Snapshot();

        // The in-process host cannot prompt: a cmdlet that asks must fail rather than go ahead.
        var result = host.Script(script);

        Assert.True(result.Terminating is not null || result.Errors.Count > 0, "The cmdlet went ahead without asking.");
        Assert.Equal(before, host.Snapshot());
    }

    [Fact]
    public void Enable_Replication_without_Force_asks_first_and_changes_nothing_when_it_cannot()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.Script("Disable-Replication -Name db01 -Force").AssertNoErrors();
        var before = host.Snapshot();

        var result = host.Script("Enable-Replication -Name db01");

        Assert.True(result.Terminating is not null || result.Errors.Count > 0, "Enable-Replication went ahead without asking.");
        Assert.Equal(before, host.Snapshot());
    }

    [Theory]
    [InlineData("Remove-Volume -Name db01 -Confirm:$false")]
    [InlineData("Remove-Volume -Name db01 -Force")]
    public void Confirm_false_or_Force_goes_ahead(string script)
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");

        host.Script(script).AssertNoErrors();

        Assert.Empty(host.Script("Get-Volume").Output);
    }

    [Fact]
    public void Get_VolumeReplica_Status_accepts_the_Cinder_spelling_it_displays()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.NewVolume("db02");
        host.Script("Disable-Replication -Name db01 -Force").AssertNoErrors();
        var shown = host.Script("Get-VolumeReplica -Name db01 | Out-String -Width 200");
        Assert.Contains("active-stopped", (string)shown.Objects.Single());

        var result = host.Script("Get-VolumeReplica -Status active-stopped");

        result.AssertNoErrors();
        Assert.Equal("db01", Assert.IsType<VolumeReplica>(Assert.Single(result.Objects)).VolumeName);
    }
}
