using System.Net;

namespace Replication.Engine.Export;

/// <summary>A running export service on this host, as a process that did not start it in-process reaches it.</summary>
public sealed class ExportServiceHandle
{
    public ExportServiceHandle(IPEndPoint endpoint, int controlPort, string token, int processId, ExportLimits? limits)
    {
        Endpoint = endpoint;
        ControlPort = controlPort;
        Token = token;
        ProcessId = processId;
        Limits = limits;
    }

    /// <summary>Where it serves NBD.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Its command port on 127.0.0.1.</summary>
    public int ControlPort { get; }

    internal string Token { get; }

    public int ProcessId { get; }

    /// <summary>The limits it runs with, or null when its records do not say (a service from an older version).</summary>
    public ExportLimits? Limits { get; }

    internal ControlClient Client => new(ControlPort, Token);
}
