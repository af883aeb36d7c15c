using System;
using System.IO;
using System.Threading;
using Replication.Agent.Protocol;
using Replication.Drivers;

namespace Replication.Agent.Tests;

/// <summary>What the agent holds open for a caller lives as long as the caller's connection: a controller that dies holds nothing.</summary>
public sealed class OpenHandleTests : IClassFixture<AgentLab>
{
    private readonly AgentLab _lab;

    public OpenHandleTests(AgentLab lab) => _lab = lab;

    [Fact]
    public void ASidecarHeldByAConnectionThatEndsIsFreeAgain()
    {
        var backend = _lab.Backend("handles", _lab.A);
        _lab.Driver.PrepareBackend(backend);
        var sidecars = _lab.Driver.Sidecars(backend);
        var name = $"volume-{Guid.NewGuid():D}.held";
        var request = new OpenSidecarRequest { Sidecar = new SidecarRef { Backend = new BackendRef { Name = backend.Name, StateStoreId = backend.StateStoreId }, Name = name }, Access = Access.OpenOrCreate };

        // Another controller process, as far as the agent can tell: a connection of its own, holding the sidecar.
        var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(_lab.Controller.CertificatePath, _lab.Controller.KeyPath);
        using (var channel = PinnedChannel.Open(new Uri(_lab.A.Address), certificate, _lab.A.Thumbprint, 1 << 20))
        {
            var other = new StorageAgent.StorageAgentClient(channel);
            other.OpenSidecar(request, deadline: DateTime.UtcNow.AddSeconds(30));
            Assert.Throws<IOException>(() => sidecars.Open(name, SidecarAccess.ReadWrite).Dispose());
        }

        // The connection ended without a Close: the agent lets go of what it held (bounded wait for the agent to notice).
        Stream? reopened = null;
        for (var attempt = 0; attempt < 100 && reopened is null; attempt++)
        {
            try
            {
                reopened = sidecars.Open(name, SidecarAccess.ReadWrite);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
        }

        Assert.NotNull(reopened);
        reopened!.Dispose();
        sidecars.Delete(name);
    }
}
