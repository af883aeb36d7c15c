using System;
using System.IO;
using System.Linq;
using System.Net;
using Replication.Engine.Export;
using Replication.Engine.Tests.Support;

namespace Replication.Engine.Tests.Export;

/// <summary>An engine site with an export service of its own, in this process, on a free port (of 127.0.0.1 by default).</summary>
internal sealed class ExportedSite : IDisposable
{
    /// <param name="address">127.0.0.1 unless given (an address of a network namespace the test made).</param>
    public ExportedSite(ExportLimits? limits = null, IPAddress? address = null)
    {
        Site = new EngineSite().WithPairAndReplicatedType();
        Service = Site.Engine.Exports.Serve(new IPEndPoint(address ?? IPAddress.Loopback, 0), limits);
    }

    public EngineSite Site { get; }

    public ExportService Service { get; }

    public IPEndPoint Endpoint => Service.Endpoint;

    /// <summary>Creates a volume and serves it; returns its NBD URL.</summary>
    public string CreateExported(string name, long sizeBytes, string type = EngineSite.ReplicatedType)
    {
        Site.CreateVolume(name, sizeBytes, type);
        return Export(name);
    }

    public string Export(string name) => Service.Add(name, Site.Quiet).Url;

    public void Dispose()
    {
        Service.Dispose();
        Site.Dispose();
    }
}
