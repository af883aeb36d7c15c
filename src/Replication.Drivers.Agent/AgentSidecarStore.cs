using System.Collections.Generic;
using System.IO;
using Google.Protobuf;
using Replication.Agent.Protocol;

namespace Replication.Drivers.Agent;

/// <summary>The engine's sidecars, kept by the agent beside the copies (LocalFile's .replication folder at the site).</summary>
internal sealed class AgentSidecarStore : ISidecarStore
{
    private readonly AgentClient _agent;

    public AgentSidecarStore(AgentClient agent) => _agent = agent;

    public byte[]? Read(string name)
    {
        var reply = _agent.Call((client, options) => client.ReadSidecar(Ref(name), options));
        return reply.HasValue ? reply.Value.ToByteArray() : null;
    }

    public void Replace(string name, byte[] content) =>
        _agent.Call((client, options) => client.ReplaceSidecar(new SidecarContent { Sidecar = Ref(name), Content = ByteString.CopyFrom(content) }, options));

    public void Delete(string name) => _agent.Call((client, options) => client.DeleteSidecar(Ref(name), options));

    public IReadOnlyList<string> List(string prefix) => _agent.Call((client, options) => client.ListSidecars(Ref(prefix), options)).Names_;

    public Stream Open(string name, SidecarAccess access)
    {
        var request = new OpenSidecarRequest
        {
            Sidecar = Ref(name),
            Access = access switch
            {
                SidecarAccess.Read => Access.Read,
                SidecarAccess.ReadWrite => Access.ReadWrite,
                _ => Access.OpenOrCreate,
            },
        };
        var opened = _agent.Call((client, options) => client.OpenSidecar(request, options));
        return new AgentSidecarStream(_agent, opened, writable: access != SidecarAccess.Read);
    }

    private SidecarRef Ref(string name) => new() { Backend = _agent.Backend, Name = name };
}
