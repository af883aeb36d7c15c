using System;
using System.IO;
using System.Linq;
using Replication.Drivers;

namespace Replication.Agent.Tests;

/// <summary>Native rounds between two agents: A sends to B, B stages, and the copy at B changes only when the round is applied.</summary>
public sealed class NativeRoundTests : IClassFixture<AgentLab>
{
    private const long Size = 8L << 20;

    private readonly AgentLab _lab;
    private readonly BackendConfiguration _a;
    private readonly BackendConfiguration _b;

    public NativeRoundTests(AgentLab lab)
    {
        _lab = lab;
        _a = lab.Backend("site-a", lab.A);
        _b = lab.Backend("site-b", lab.B);
        lab.Driver.PrepareBackend(_a);
        lab.Driver.PrepareBackend(_b);
    }

    [Fact]
    public void OnlyAgentPairsOnTwoAgentsReplicateNatively()
    {
        Assert.True(_lab.Driver.CanReplicate(_a, _b));
        Assert.False(_lab.Driver.CanReplicate(_a, _lab.Backend("site-a-again", _lab.A)));
        Assert.False(_lab.Driver.CanReplicate(_a, new BackendConfiguration("local", new System.Collections.Generic.Dictionary<string, string> { ["Path"] = "/tmp" }, _lab.StoreId)));
    }

    [Fact]
    public void ARoundIsStagedThenAppliedAndTheNextSendsOnlyWhatChanged()
    {
        var location = _lab.Driver.LocationFor(Guid.NewGuid());
        _lab.Driver.CreateCopy(_a, location, Size);
        var data = Pattern(3 << 20, 1);
        Write(_a, location, 1 << 20, data);

        var first = _lab.Driver.Replicate(new NativeRoundRequest(_a, location, _b, location, 1, full: true));
        Assert.Equal(3L << 20, first.BytesSent);   // the allocated blocks only; holes are not sent
        var staged = _lab.Driver.ReplicaState(_b, location);
        Assert.Equal(1, staged.StagedRound);
        Assert.Null(staged.AppliedRound);
        Assert.Null(_lab.Driver.CopyLength(_b, location));   // nothing visible before the round is applied

        _lab.Driver.ApplyStaged(_b, location, 1);
        _lab.Driver.ApplyStaged(_b, location, 1);   // again, as after a crash: harmless
        Assert.Equal(ReadAll(_a, location), ReadAll(_b, location));
        Assert.Equal(1, _lab.Driver.ReplicaState(_b, location).AppliedRound);
        Assert.Null(_lab.Driver.ReplicaState(_b, location).StagedRound);

        Write(_a, location, (2 << 20) + 100, Pattern(10, 2));
        var second = _lab.Driver.Replicate(new NativeRoundRequest(_a, location, _b, location, 2, full: false));
        Assert.Equal(64L << 10, second.BytesSent);   // one block changed
        _lab.Driver.ApplyStaged(_b, location, 2);
        Assert.Equal(ReadAll(_a, location), ReadAll(_b, location));
    }

    [Fact]
    public void ADiscardedRoundLeavesTheReplicaAtItsRound()
    {
        var location = _lab.Driver.LocationFor(Guid.NewGuid());
        _lab.Driver.CreateCopy(_a, location, Size);
        Write(_a, location, 0, Pattern(4096, 3));
        _lab.Driver.Replicate(new NativeRoundRequest(_a, location, _b, location, 1, full: true));
        _lab.Driver.ApplyStaged(_b, location, 1);
        var applied = ReadAll(_b, location);

        Write(_a, location, 0, Pattern(4096, 4));
        _lab.Driver.Replicate(new NativeRoundRequest(_a, location, _b, location, 2, full: false));
        _lab.Driver.DiscardStaged(_b, location, 2);
        _lab.Driver.DiscardStaged(_b, location, 2);   // a missing round is not an error
        Assert.Equal(applied, ReadAll(_b, location));
        Assert.Null(_lab.Driver.ReplicaState(_b, location).StagedRound);
        var error = Assert.Throws<StorageDriverException>(() => _lab.Driver.ApplyStaged(_b, location, 2));
        Assert.Equal(DriverErrorIds.IoFault, error.ErrorId);
    }

    [Fact]
    public void AnAgentSendsOnlyToAnAgentItPins()
    {
        // A third agent that A does not pin, though the controller does.
        var c = new AgentProcess(Path.Combine(_lab.Folder, "c-" + Guid.NewGuid().ToString("N")[..8]), _lab.Certificates.Issue("agent-c-" + Guid.NewGuid().ToString("N")[..8]), _lab.Certificates.CaPath, new[] { _lab.Controller.Thumbprint });
        try
        {
            var backendC = _lab.Backend("site-c", c);
            _lab.Driver.PrepareBackend(backendC);
            var location = _lab.Driver.LocationFor(Guid.NewGuid());
            _lab.Driver.CreateCopy(_a, location, Size);
            var error = Assert.Throws<StorageDriverException>(() => _lab.Driver.Replicate(new NativeRoundRequest(_a, location, backendC, location, 1, full: true)));
            Assert.Equal(DriverErrorIds.StorageRefused, error.ErrorId);
            Assert.Null(_lab.Driver.ReplicaState(backendC, location).StagedRound);
        }
        finally
        {
            c.Dispose();
        }
    }

    private void Write(BackendConfiguration backend, string location, long offset, byte[] data)
    {
        using var device = _lab.Driver.Open(backend, location, DeviceAccess.ReadWrite);
        device.Write(offset, data, 0, data.Length);
        device.Flush();
    }

    private byte[] ReadAll(BackendConfiguration backend, string location)
    {
        using var device = _lab.Driver.Open(backend, location, DeviceAccess.Read);
        var bytes = new byte[device.Length];
        device.Read(0, bytes, 0, bytes.Length);
        return bytes;
    }

    private static byte[] Pattern(int length, int seed) => Enumerable.Range(0, length).Select(i => (byte)((i * 31) + seed)).ToArray();
}
