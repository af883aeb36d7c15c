using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Polly;
using Polly.Retry;

namespace Replication.Engine.Drivers.LocalFile;

/// <summary>
/// Retries an idempotent I/O step (a positional read or write, opening a file) when it fails with an error that is
/// known to pass (EIO, EAGAIN, EINTR, EBUSY, ETIMEDOUT, ESTALE; sharing and network errors on Windows): three retries
/// with jittered exponential backoff from 50 ms. Everything else (no space, read-only, missing) fails at once.
/// </summary>
internal static class TransientIo
{
    // errno values (Linux and macOS agree on these) .NET puts in IOException.HResult on Unix.
    private static readonly int[] TransientErrno = { 4 /* EINTR */, 5 /* EIO */, 11 /* EAGAIN (Linux) */, 35 /* EAGAIN (macOS) */, 16 /* EBUSY */, 110 /* ETIMEDOUT (Linux) */, 60 /* ETIMEDOUT (macOS) */, 116 /* ESTALE (Linux) */, 70 /* ESTALE (macOS) */ };

    // Win32 errors (in the low word of the HResult): sharing and lock violations, lost network names and links.
    private static readonly int[] TransientWin32 = { 32, 33, 53, 59, 64, 121 };

    private static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<IOException>(IsTransient),
            MaxRetryAttempts = 3,
            Delay = TimeSpan.FromMilliseconds(50),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build();

    public static T Run<T>(Func<T> step) => Pipeline.Execute(step);

    public static void Run(Action step) => Pipeline.Execute(step);

    public static bool IsTransient(IOException error)
    {
        if (error is FileNotFoundException or DirectoryNotFoundException or EndOfStreamException or PathTooLongException)
        {
            return false;
        }

        return RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? TransientWin32.Contains(error.HResult & 0xFFFF)
            : TransientErrno.Contains(error.HResult);
    }
}
