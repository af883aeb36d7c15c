using System.Linq;
using System.Management.Automation;

namespace Replication.PowerShell.Tests;

/// <summary>Long work reports progress: bytes done, rate and time left per volume, under a bar over the whole run.</summary>
public sealed class ProgressTests
{
    [Fact]
    public void Syncing_several_volumes_shows_each_volumes_bytes_under_a_bar_over_the_run()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");
        host.NewVolume("db02");
        CmdletHost.WriteBytes(host.ConnectionPath("db01"), 0, CmdletHost.RandomBytes(3 << 20, 1));
        CmdletHost.WriteBytes(host.ConnectionPath("db02"), 0, CmdletHost.RandomBytes(1 << 20, 2));

        var result = host.Script("Sync-VolumeReplica -Name db01, db02");

        result.AssertNoErrors();
        var run = result.Progress.Where(p => p.Activity == "Sync-VolumeReplica").ToList();
        Assert.Equal(new[] { "db01 (1 of 2)", "db02 (2 of 2)", "Done" }, run.Select(p => p.StatusDescription).ToArray());
        Assert.Equal(new[] { 0, 50 }, run.Take(2).Select(p => p.PercentComplete).ToArray());
        Assert.Equal(ProgressRecordType.Completed, run.Last().RecordType);

        var volume = result.Progress.Where(p => p.Activity == "Syncing db01").ToList();
        Assert.NotEmpty(volume);
        Assert.All(volume, p => Assert.Equal(run[0].ActivityId, p.ParentActivityId));
        var last = volume.Last();
        Assert.Equal(100, last.PercentComplete);
        Assert.Matches(@"^3 MiB of 3 MiB at .+/s$", last.StatusDescription);
    }

    [Fact]
    public void A_single_volume_from_the_pipeline_counts_volumes_without_a_total()
    {
        using var host = new CmdletHost();
        host.AddStory();
        host.NewVolume("db01");

        var result = host.Script("'db01' | Sync-VolumeReplica");

        result.AssertNoErrors();
        Assert.Equal("db01 (volume 1)", result.Progress.First(p => p.Activity == "Sync-VolumeReplica").StatusDescription);
    }
}
