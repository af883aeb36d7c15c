using System;
using System.IO;
using System.Linq;
using System.Threading;
using Replication.Drivers;

namespace Replication.Agent.Tests;

/// <summary>
/// The fence epoch at the agents: a copy demoted at a newer epoch while its site was away is fenced by its own agent
/// (on a write, or by the agent's own check) and refuses writes; a copy whose epoch is unconfirmed after a restart is
/// not written while the partner cannot be reached. Two agents of the test's own, so they can be stopped and restarted.
/// </summary>
public sealed class FenceEpochTests : IClassFixture<AgentLab>, IDisposable
{
    private const long Size = 4L << 20;

    private readonly AgentLab _lab;
    private readonly string _folder;
    private AgentProcess _a;
    private AgentProcess _b;

    public FenceEpochTests(AgentLab lab)
    {
        _lab = lab;
        _folder = Path.Combine(lab.Folder, "fence-" + Guid.NewGuid().ToString("N"));
        _a = Start("a");
        _b = Start("b");
    }

    private BackendConfiguration A => _lab.Backend("fence-a", _a);

    private BackendConfiguration B => _lab.Backend("fence-b", _b);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ACopyDemotedWhileAwayIsFencedByItsAgentAtTheNextWriteAndNothingChanges()
    {
        var location = Replicated(out var bytes);
        Assert(B, location, 2, primary: true, A);   // promoted at B while A was away: A never heard of it

        var refused = Xunit.Assert.Throws<StorageDriverException>(() => Write(A, location, 0, new byte[] { 9, 9, 9 }));
        Xunit.Assert.Equal(DriverErrorIds.StorageRefused, refused.ErrorId);
        Xunit.Assert.Contains("fence epoch 2", refused.Message);
        Xunit.Assert.True(_lab.Driver.IsFenced(A, location));
        Xunit.Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(PathAt(_a, location)) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        Xunit.Assert.Equal(bytes, File.ReadAllBytes(PathAt(_a, location)));
        // Nothing wrote to it since its epoch was last confirmed: re-enable may overwrite it without -DiscardFencedWrites.
        Xunit.Assert.Equal(_lab.Driver.ChangeStamp(A, location), _lab.Driver.CleanFenceStamp(A, location));
    }

    [Fact]
    public void TheAgentFencesADemotedCopyByItselfSoonAfterItsPartnerIsReachable()
    {
        var location = Replicated(out var bytes);
        Assert(B, location, 2, primary: true, A);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_lab.Driver.IsFenced(A, location) != true && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(200);
        }

        Xunit.Assert.True(_lab.Driver.IsFenced(A, location));
        Xunit.Assert.Equal(bytes, File.ReadAllBytes(PathAt(_a, location)));
    }

    [Fact]
    public void AnEpochOlderThanTheSitesIsRefusedAndChangesNothing()
    {
        var location = Replicated(out _);
        Assert(A, location, 3, primary: true, B);

        var refused = Xunit.Assert.Throws<StorageDriverException>(() => Assert(A, location, 2, primary: true, B));
        Xunit.Assert.Equal(DriverErrorIds.StorageRefused, refused.ErrorId);
        Write(A, location, 0, new byte[] { 1 });   // still the primary at epoch 3
    }

    [Fact]
    public void AfterARestartACopyIsNotWrittenUntilItsEpochIsConfirmed()
    {
        var location = Replicated(out var bytes);
        _b.Dispose();   // the partner site is away
        _a.Dispose();
        _a = Start("a");

        var refused = Xunit.Assert.Throws<StorageDriverException>(() => Write(A, location, 0, new byte[] { 7 }));
        Xunit.Assert.Equal(DriverErrorIds.StorageRefused, refused.ErrorId);
        Xunit.Assert.Contains("unconfirmed", refused.Message);
        Xunit.Assert.Equal(bytes, File.ReadAllBytes(PathAt(_a, location)));

        Assert(A, location, 1, primary: true, B);   // the controller confirms it
        Write(A, location, 0, new byte[] { 7 });
        Xunit.Assert.Equal(7, File.ReadAllBytes(PathAt(_a, location))[0]);
    }

    [Fact]
    public void AnAgentWhoseEpochFileIsDamagedDoesNotStart()
    {
        Replicated(out _);
        _a.Dispose();
        var file = Path.Combine(_a.StorageFolder, "agent-epochs");
        var text = File.ReadAllText(file);
        File.WriteAllText(file, text.Replace("\"Epoch\":1", "\"Epoch\":0"));

        var (exitCode, output) = AgentProcess.RunToExit(_a.ConfigPath);
        Xunit.Assert.Equal(4, exitCode);
        Xunit.Assert.Contains("damaged", output);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    /// <summary>A copy at A (the primary at epoch 1) and at B (its replica), as a controller's first round leaves them.</summary>
    private string Replicated(out byte[] bytes)
    {
        var location = _lab.Driver.LocationFor(Guid.NewGuid());
        _lab.Driver.PrepareBackend(A);
        _lab.Driver.PrepareBackend(B);
        _lab.Driver.CreateCopy(A, location, Size);
        _lab.Driver.CreateCopy(B, location, Size);
        Write(A, location, 4096, Enumerable.Range(0, 8192).Select(i => (byte)i).ToArray());
        Assert(A, location, 1, primary: true, B);
        Assert(B, location, 1, primary: false, A);
        bytes = File.ReadAllBytes(PathAt(_a, location));
        return location;
    }

    private void Assert(BackendConfiguration copy, string location, long epoch, bool primary, BackendConfiguration partner) =>
        _lab.Driver.AssertEpoch(new FenceEpochAssertion(copy, location, epoch, primary, partner, location));

    private AgentProcess Start(string site) =>
        new(Path.Combine(_folder, site), site == "a" ? _lab.ACertificate : _lab.BCertificate, _lab.Certificates.CaPath, new[] { _lab.Controller.Thumbprint },
            new[] { site == "a" ? _lab.BCertificate.Thumbprint : _lab.ACertificate.Thumbprint });

    private static string PathAt(AgentProcess agent, string location) => Path.Combine(agent.StorageFolder, location);

    private void Write(BackendConfiguration backend, string location, long offset, byte[] data)
    {
        using var device = _lab.Driver.Open(backend, location, DeviceAccess.ReadWrite);
        device.Write(offset, data, 0, data.Length);
        device.Flush();
    }
}
