using System;
using System.Diagnostics;
using System.Net;

namespace Replication.Engine.Tests.Export;

/// <summary>
/// A network namespace of the test's own, joined to this one by a veth pair: <see cref="HostAddress"/> on this side,
/// <see cref="PeerAddress"/> inside. Traffic stays between the two; the namespace and its links are removed on Dispose.
/// </summary>
internal sealed class NetworkNamespace : IDisposable
{
    private readonly string _hostLink;

    public NetworkNamespace()
    {
        var id = Guid.NewGuid().ToString("N").Substring(0, 8);
        Name = "rt" + id;
        _hostLink = "rh" + id;
        // A /30 in 10.213.0.0/16 picked by the id, so that namespaces of runs side by side rarely share one.
        var subnet = Convert.ToInt32(id.Substring(0, 4), 16) % 16384 * 4;
        HostAddress = IPAddress.Parse($"10.213.{subnet / 256}.{(subnet % 256) + 1}");
        PeerAddress = IPAddress.Parse($"10.213.{subnet / 256}.{(subnet % 256) + 2}");
        try
        {
            Ip("netns", "add", Name);
            Ip("link", "add", _hostLink, "type", "veth", "peer", "name", "rp" + id);
            Ip("link", "set", "rp" + id, "netns", Name);
            Ip("addr", "add", $"{HostAddress}/30", "dev", _hostLink);
            Ip("link", "set", _hostLink, "up");
            Ip("-n", Name, "addr", "add", $"{PeerAddress}/30", "dev", "rp" + id);
            Ip("-n", Name, "link", "set", "rp" + id, "up");
            Ip("-n", Name, "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    public IPAddress HostAddress { get; }

    public IPAddress PeerAddress { get; }

    /// <summary>Cuts the link, as a host that loses power or its network does: no FIN, no reset, nothing answers.</summary>
    public void CutLink() => Ip("link", "set", _hostLink, "down");

    public void Dispose()
    {
        TryIp("link", "del", _hostLink);
        TryIp("netns", "del", Name);
    }

    private static void Ip(params string[] arguments)
    {
        var (code, errors) = Run(arguments);
        Assert.True(code == 0, $"ip {string.Join(" ", arguments)} failed: {errors}");
    }

    private static void TryIp(params string[] arguments) => Run(arguments);

    private static (int ExitCode, string Errors) Run(string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            return (-1, "ip did not finish.");
        }

        return (process.ExitCode, errors.Result);
    }
}
