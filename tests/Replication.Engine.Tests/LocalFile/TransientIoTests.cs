using System;
using System.IO;
using System.Runtime.InteropServices;
using Replication.Engine.Drivers.LocalFile;

namespace Replication.Engine.Tests.LocalFile;

/// <summary>Transient I/O errors are retried with backoff; lasting ones fail at once.</summary>
public sealed class TransientIoTests
{
    private static int Eio => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? unchecked((int)0x80070040) /* ERROR_NETNAME_DELETED */ : 5;

    private static int Enospc => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? unchecked((int)0x80070070) /* ERROR_DISK_FULL */ : 28;

    [Fact]
    public void A_transient_error_is_retried_until_the_step_succeeds()
    {
        var attempts = 0;

        var result = TransientIo.Run(() => ++attempts < 3 ? throw new IOException("flaky", Eio) : attempts);

        Assert.Equal(3, result);
    }

    [Fact]
    public void A_transient_error_that_lasts_fails_after_three_retries()
    {
        var attempts = 0;

        var error = Assert.Throws<IOException>(() => TransientIo.Run(() =>
        {
            attempts++;
            throw new IOException("still failing", Eio);
        }));

        Assert.Equal(4, attempts);
        Assert.Equal("still failing", error.Message);
    }

    [Fact]
    public void A_full_disk_or_a_missing_file_fails_at_once()
    {
        var attempts = 0;
        Assert.Throws<IOException>(() => TransientIo.Run(() =>
        {
            attempts++;
            throw new IOException("no space", Enospc);
        }));
        Assert.Throws<FileNotFoundException>(() => TransientIo.Run(() =>
        {
            attempts++;
            throw new FileNotFoundException("gone");
        }));

        Assert.Equal(2, attempts);
    }
}
