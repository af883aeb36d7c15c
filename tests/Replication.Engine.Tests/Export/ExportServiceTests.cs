using System;
using System.Threading;
using Replication.Engine.Errors;
using Replication.Engine.Tests.Support;
using static Replication.Engine.Tests.Support.EngineSite;

namespace Replication.Engine.Tests.Export;

/// <summary>An export service's life: it ends when it has nothing to serve, and not while it serves something.</summary>
[Trait(StoreTrait.Name, StoreTrait.Each)]
public sealed class ExportServiceTests : IDisposable
{
    private readonly ExportedSite _site = new();

    public void Dispose() => _site.Dispose();

    [UnixFact]
    public void AServiceWhoseFirstVolumeCannotBeServed_EndsAtOnce()
    {
        var error = Assert.Throws<ReplicationException>(() => _site.Service.Add("nosuch", _site.Site.Quiet));
        Assert.Equal(ErrorIds.VolumeNotFound, error.ErrorId);

        // Without the fix it would wait here for a first volume (or the minute a background service gives one).
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        _site.Service.WaitUntilIdle(TimeSpan.FromMinutes(10), bound.Token);
    }

    [UnixFact]
    public void AVolumeAddedAfterAFailedOne_IsServed_UntilItIsStopped()
    {
        _site.Site.CreateVolume("db01", 8 * MiB);
        Assert.Throws<ReplicationException>(() => _site.Service.Add("nosuch", _site.Site.Quiet));

        var url = _site.Export("db01");

        using (var briefly = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => _site.Service.WaitUntilIdle(TimeSpan.Zero, briefly.Token));
        }

        QemuIo.Run(url, "write -P 0x21 0 4k");
        _site.Site.Engine.Exports.Stop("db01", _site.Site.Quiet);
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        _site.Service.WaitUntilIdle(TimeSpan.Zero, bound.Token);
    }
}
