using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using Grpc.Core;
using Grpc.Net.Client;
using Replication.Agent.Protocol;
using Replication.Drivers;

namespace Replication.Agent.Tests;

/// <summary>Who the agent refuses (and the driver): each stranger's request fails at the handshake and nothing at the site changes.</summary>
public sealed class StrangerTests : IClassFixture<AgentLab>
{
    private readonly AgentLab _lab;

    public StrangerTests(AgentLab lab) => _lab = lab;

    [Fact]
    public void TheControllerIsServed()
    {
        var backend = _lab.Backend("served", _lab.A);
        var location = _lab.Driver.LocationFor(Guid.NewGuid());
        _lab.Driver.PrepareBackend(backend);
        _lab.Driver.CreateCopy(backend, location, 1 << 20);
        Assert.Equal(1 << 20, _lab.Driver.CopyLength(backend, location));
        _lab.Driver.DeleteCopy(backend, location);
    }

    [Fact]
    public void ACertificateFromAnotherCaIsRefused()
    {
        using var other = new LabCertificates(Path.Combine(_lab.Folder, "other-ca"), "Other CA");
        // Pinned, even: the chain to the configured CA is required as well.
        var stranger = other.Issue("stranger");
        RefusedAndNothingChanged(stranger);
    }

    [Fact]
    public void AnExpiredCertificateIsRefused() => RefusedAndNothingChanged(_lab.Certificates.Issue("expired", expired: true));

    [Fact]
    public void AValidCertificateNotPinnedIsRefused() => RefusedAndNothingChanged(_lab.Certificates.Issue("not-pinned"));

    [Fact]
    public void ThePartnerAgentMaySendRoundsButNotWorkOnCopies()
    {
        // Agent B's certificate, pinned at A as its partner's: A serves it block hashes and staging, nothing else.
        var backend = _lab.Backend("partner", _lab.A, _lab.BCertificate);
        var before = Listing();
        var error = Assert.Throws<StorageDriverException>(() => _lab.Driver.CreateCopy(backend, _lab.Driver.LocationFor(Guid.NewGuid()), 1 << 20));
        Assert.Equal(DriverErrorIds.StorageRefused, error.ErrorId);
        Assert.Contains("controllers only", error.Message);
        Assert.Throws<StorageDriverException>(() => _lab.Driver.ListCopies(backend));
        Assert.Equal(before, Listing());
    }

    [Fact]
    public void AClientWithoutCertificateIsRefused()
    {
        var before = Listing();
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var channel = GrpcChannel.ForAddress(_lab.A.Address, new GrpcChannelOptions { HttpHandler = handler });
        var client = new StorageAgent.StorageAgentClient(channel);
        var copy = new CopyRef { Backend = new BackendRef { Name = "stranger", StateStoreId = _lab.StoreId }, Location = $"volume-{Guid.NewGuid():D}.img" };
        var error = Assert.Throws<RpcException>(() => client.CreateCopy(new CopySize { Copy = copy, SizeBytes = 1 << 20 }, deadline: DateTime.UtcNow.AddSeconds(30)));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(before, Listing());
    }

    [Fact]
    public void AnAgentWhoseCertificateIsNotThePinnedOneIsRefusedByTheDriver()
    {
        // Backend settings that name agent A's address but pin agent B's certificate: the driver must not talk to A.
        var settings = AgentLab.SettingsFor(_lab.A, _lab.Controller);
        settings["ServerCertificateThumbprint"] = _lab.B.Thumbprint;
        var backend = new BackendConfiguration("wrong-pin", _lab.Driver.ValidateSettings(settings), _lab.StoreId);
        var before = Listing();
        var error = Assert.Throws<StorageDriverException>(() => _lab.Driver.CreateCopy(backend, _lab.Driver.LocationFor(Guid.NewGuid()), 1 << 20));
        Assert.Equal(DriverErrorIds.BackendUnreachable, error.ErrorId);
        Assert.Equal(before, Listing());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AKeyOthersCanReadIsRefusedByTheDriverAndTheAgent()
    {
        var loose = _lab.Certificates.Issue("loose");
        File.SetUnixFileMode(loose.KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var backend = _lab.Backend("loose-key", _lab.A, loose);
        var error = Assert.Throws<StorageDriverException>(() => _lab.Driver.ListCopies(backend));
        Assert.Equal(DriverErrorIds.StorageRefused, error.ErrorId);
        Assert.Contains("0600", error.Message);

        var config = Path.Combine(_lab.Folder, "loose-agent.json");
        File.WriteAllText(config, File.ReadAllText(_lab.A.ConfigPath).Replace(JsonPath(_lab.A.ConfigPath, "agent-a.key"), JsonPath(_lab.A.ConfigPath, "loose.key")));
        var (exitCode, output) = AgentProcess.RunToExit(config);
        Assert.Equal(3, exitCode);
        Assert.Contains("can be read by others", output);
    }

    private static string JsonPath(string configPath, string keyName) =>
        System.Text.Json.JsonSerializer.Serialize(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(configPath)!)!, "pki", keyName)).Trim('"');

    private void RefusedAndNothingChanged(LabCertificates.Issued stranger)
    {
        var backend = _lab.Backend("stranger", _lab.A, stranger);
        var before = Listing();
        var error = Assert.Throws<StorageDriverException>(() => _lab.Driver.CreateCopy(backend, _lab.Driver.LocationFor(Guid.NewGuid()), 1 << 20));
        Assert.Equal(DriverErrorIds.BackendUnreachable, error.ErrorId);
        Assert.Null(_lab.Driver.IsFenced(backend, _lab.Driver.LocationFor(Guid.NewGuid())));
        Assert.Equal(before, Listing());
    }

    private string Listing() => Directory.Exists(_lab.A.StorageFolder)
        ? string.Join("\n", Directory.EnumerateFileSystemEntries(_lab.A.StorageFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(p => p + ":" + (File.Exists(p) ? new FileInfo(p).Length : -1)))
        : "";
}
