using System;
using System.Collections.Generic;
using System.Linq;
using Samples.ChunkFolder;

namespace Replication.Drivers.Conformance.Tests;

/// <summary>The kit run once on the sample driver; each promise is a test of its own.</summary>
public sealed class ChunkFolderConformanceTests : IClassFixture<ChunkFolderConformanceTests.KitRun>
{
    private readonly KitRun _run;

    public ChunkFolderConformanceTests(KitRun run) => _run = run;

    public static IEnumerable<object[]> Promises => ConformanceKit.PromiseNames.Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(Promises))]
    public void SampleDriverKeepsThePromise(string promise)
    {
        var result = Assert.Single(_run.Results, r => r.Name == promise);
        Assert.True(result.Passed, result.Detail);
        Assert.False(string.IsNullOrWhiteSpace(result.Detail));
    }

    [Fact]
    public void OneResultPerPromiseAndNothingLeftBehind()
    {
        Assert.Equal(ConformanceKit.PromiseNames, _run.Results.Select(r => r.Name));
        Assert.Empty(_run.CopiesLeft);
        Assert.Empty(_run.SidecarsLeft);
    }

    public sealed class KitRun : IDisposable
    {
        private readonly ScratchFolder _scratch = new();

        public KitRun()
        {
            var driver = new ChunkFolderDriver();
            Results = new ConformanceKit(driver, _scratch.ChunkFolderSettings()).Run();
            var backend = new BackendConfiguration("after", driver.ValidateSettings(_scratch.ChunkFolderSettings()), "x");
            CopiesLeft = driver.ListCopies(backend);
            SidecarsLeft = driver.Sidecars(backend).List("");
        }

        public IReadOnlyList<PromiseResult> Results { get; }

        public IReadOnlyList<string> CopiesLeft { get; }

        public IReadOnlyList<string> SidecarsLeft { get; }

        public void Dispose() => _scratch.Dispose();
    }
}
