using System;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Replication.Agent;
using Replication.Agent.Metrics;
using Replication.Agent.Epochs;

// Usage: Replication.Agent --config <agent.json>
var configPath = AgentOptions.ConfigPathFrom(args);
if (configPath is null)
{
    Console.Error.WriteLine("Usage: Replication.Agent --config <path of the agent's JSON configuration>");
    return 2;
}

AgentOptions options;
MetricsOptions metrics;
try
{
    options = AgentOptions.Load(configPath);
    metrics = MetricsOptions.Load(configPath, options);
}
catch (AgentConfigurationException ex)
{
    Console.Error.WriteLine($"The agent's configuration '{configPath}' is refused: {ex.Message}");
    return 3;
}

var builder = WebApplication.CreateSlimBuilder(Array.Empty<string>());
builder.Host.UseSystemd();
builder.Host.UseWindowsService();
builder.WebHost.ConfigureKestrel(kestrel => AgentListener.Configure(kestrel, options));
builder.WebHost.ConfigureKestrel(kestrel => MetricsEndpoint.Listen(kestrel, metrics));
MetricsEndpoint.AddServices(builder.Services, metrics);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton<AgentStorage>();
builder.Services.AddSingleton<OpenHandles>();
builder.Services.AddSingleton<PartnerChannels>();
builder.Services.AddSingleton<StagedRounds>();
builder.Services.AddSingleton<CopyEpochs>();
builder.Services.AddSingleton<EpochGate>();
builder.Services.AddHostedService<EpochWatcher>();
builder.Services.AddSingleton<SendingRounds>();
builder.Services.AddGrpc(grpc =>
{
    grpc.Interceptors.Add<FailedCalls>();
    grpc.Interceptors.Add<PartnerCalls>();
    grpc.Interceptors.Add<StorageErrors>();
    grpc.MaxReceiveMessageSize = AgentLimits.MaxMessageBytes;
    grpc.MaxSendMessageSize = AgentLimits.MaxMessageBytes;
});

var app = builder.Build();
MetricsEndpoint.Map(app, metrics);

try
{
    // Read before anything is served: an agent that cannot tell which of its copies were demoted serves nothing.
    app.Services.GetRequiredService<CopyEpochs>();
}
catch (Replication.Drivers.StorageDriverException ex)
{
    Console.Error.WriteLine($"The agent's fence epochs cannot be read: {ex.Message}");
    return 4;
}

app.MapGrpcService<StorageAgentService>();
// Said once Kestrel listens, so whoever started the agent (a test, a script) knows it can be reached.
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"Replication agent ready: storage '{options.StorageFolder}', listening on {options.Listen}."));
app.Run();
return 0;
