using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;

namespace Replication.Agent.Tests;

/// <summary>The agent as a real process on a loopback port of its own, with its own storage folder; killed when disposed.</summary>
public sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();
    private bool _disposed;

    public AgentProcess(string folder, LabCertificates.Issued certificate, string caPath, IEnumerable<string> pinnedClients, IEnumerable<string>? pinnedPartners = null)
    {
        Directory.CreateDirectory(folder);
        StorageFolder = Path.Combine(folder, "storage");
        Port = FreePort();
        MetricsPort = FreePort();
        ConfigPath = Path.Combine(folder, "agent.json");
        File.WriteAllText(ConfigPath, JsonSerializer.Serialize(new
        {
            Listen = $"127.0.0.1:{Port}",
            StorageFolder,
            Certificate = certificate.CertificatePath,
            CertificateKey = certificate.KeyPath,
            TrustedCa = caPath,
            PinnedClients = pinnedClients,
            PinnedPartners = pinnedPartners ?? Array.Empty<string>(),
            Metrics = new { Listen = $"127.0.0.1:{MetricsPort}" },
        }));
        Thumbprint = certificate.Thumbprint;
        _process = Start(ConfigPath, _output);
        WaitUntilListening();
    }

    public string StorageFolder { get; }

    public int Port { get; }

    public string ConfigPath { get; }

    /// <summary>The agent's plain HTTP metrics port on loopback.</summary>
    public int MetricsPort { get; }

    public string Address => $"https://127.0.0.1:{Port}/";

    public string Thumbprint { get; }

    /// <summary>The agent's build output, beside this test's (the same configuration).</summary>
    public static string AgentPath
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var root = testOutput.Parent!.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "src", "Replication.Agent", "bin", testOutput.Parent.Name, testOutput.Name, "Replication.Agent.dll");
        }
    }

    /// <summary>Runs the agent with a configuration it is expected to refuse, and returns its exit code and output.</summary>
    public static (int ExitCode, string Output) RunToExit(string configPath)
    {
        var output = new System.Text.StringBuilder();
        using var process = Start(configPath, output);
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The agent did not exit on a configuration it should refuse.");
        }

        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }

    public void Dispose()
    {
        // A test that stops an agent mid-way disposes it again at its end.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static Process Start(string configPath, System.Text.StringBuilder output)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(AgentPath);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(configPath);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Bounded: at most 30 s of connection attempts to its own loopback port.
    private void WaitUntilListening()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The agent exited with {_process.ExitCode}: {_output}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        throw new TimeoutException($"The agent did not listen on port {Port} within 30 s: {_output}");
    }
}
