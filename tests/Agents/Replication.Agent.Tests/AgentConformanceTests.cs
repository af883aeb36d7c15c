using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Drivers;
using Replication.Drivers.Conformance;

namespace Replication.Agent.Tests;

/// <summary>The conformance kit run once on the Agent driver against a real agent on loopback; each promise is a test of its own.</summary>
public sealed class AgentConformanceTests : IClassFixture<AgentConformanceTests.KitRun>
{
    private readonly KitRun _run;

    public AgentConformanceTests(KitRun run) => _run = run;

    public static IEnumerable<object[]> Promises => ConformanceKit.PromiseNames.Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(Promises))]
    public void AgentDriverKeepsThePromise(string promise)
    {
        var result = Assert.Single(_run.Results, r => r.Name == promise);
        Assert.True(result.Passed, result.Detail);
        Assert.False(string.IsNullOrWhiteSpace(result.Detail));
    }

    [Fact]
    public void OneResultPerPromiseAndNoCopyLeftAtTheSite()
    {
        Assert.Equal(ConformanceKit.PromiseNames, _run.Results.Select(r => r.Name));
        Assert.Empty(_run.CopiesLeft);
    }

    public sealed class KitRun : IDisposable
    {
        private readonly AgentLab _lab = new();

        public KitRun()
        {
            Results = new ConformanceKit(_lab.Driver, AgentLab.SettingsFor(_lab.A, _lab.Controller)).Run();
            CopiesLeft = System.IO.Directory.GetFiles(_lab.A.StorageFolder, "volume-*");
        }

        public IReadOnlyList<PromiseResult> Results { get; }

        public IReadOnlyList<string> CopiesLeft { get; }

        public void Dispose() => _lab.Dispose();
    }
}
