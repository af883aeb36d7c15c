using System;
using System.Collections.Generic;
using System.IO;
using Replication.Drivers;
using Replication.Drivers.Agent;

namespace Replication.Agent.Tests;

/// <summary>
/// Two agents on loopback (sites A and B) with a lab CA, each pinning the controller's certificate and the other agent's
/// as its partner's,
/// and the Agent driver as a controller uses it. Everything lives in a temporary folder removed afterwards.
/// </summary>
public sealed class AgentLab : IDisposable
{
    public AgentLab()
    {
        Folder = Path.Combine(Path.GetTempPath(), "rp-agent-" + Guid.NewGuid().ToString("N"));
        Certificates = new LabCertificates(Path.Combine(Folder, "pki"));
        Controller = Certificates.Issue("controller");
        var a = Certificates.Issue("agent-a");
        var b = Certificates.Issue("agent-b");
        A = new AgentProcess(Site("a"), a, Certificates.CaPath, new[] { Controller.Thumbprint }, new[] { b.Thumbprint });
        B = new AgentProcess(Site("b"), b, Certificates.CaPath, new[] { Controller.Thumbprint }, new[] { a.Thumbprint });
        ACertificate = a;
        BCertificate = b;
    }

    public string Folder { get; }

    public LabCertificates Certificates { get; }

    public LabCertificates.Issued Controller { get; }

    public AgentProcess A { get; }

    public AgentProcess B { get; }

    public LabCertificates.Issued ACertificate { get; }

    public LabCertificates.Issued BCertificate { get; }

    public AgentDriver Driver { get; } = new();

    public string StoreId { get; } = Guid.NewGuid().ToString("D");

    /// <summary>The settings of a backend on the agent, as the controller (or <paramref name="client"/>) presents itself.</summary>
    public static Dictionary<string, string> SettingsFor(AgentProcess agent, LabCertificates.Issued client) => new()
    {
        ["Address"] = agent.Address,
        ["ClientCertificate"] = client.CertificatePath,
        ["ClientKey"] = client.KeyPath,
        ["ServerCertificateThumbprint"] = agent.Thumbprint,
    };

    public BackendConfiguration Backend(string name, AgentProcess agent) => Backend(name, agent, Controller);

    public BackendConfiguration Backend(string name, AgentProcess agent, LabCertificates.Issued client) =>
        new(name, Driver.ValidateSettings(SettingsFor(agent, client)), StoreId);

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
        Certificates.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    private string Site(string name)
    {
        var folder = Path.Combine(Folder, name);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
