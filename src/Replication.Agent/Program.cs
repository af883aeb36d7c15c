using System;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Replication.Agent;

// Usage: Replication.Agent --config <agent.json>
var configPath = AgentOptions.ConfigPathFrom(args);
if (configPath is null)
{
    Console.Error.WriteLine("Usage: Replication.Agent --config <path of the agent's JSON configuration>");
    return 2;
}

AgentOptions options;
try
{
    options = AgentOptions.Load(configPath);
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
builder.Services.AddSingleton(options);
builder.Services.AddSingleton<AgentStorage>();
builder.Services.AddSingleton<OpenHandles>();
builder.Services.AddSingleton<PartnerChannels>();
builder.Services.AddSingleton<StagedRounds>();
builder.Services.AddSingleton<SendingRounds>();
builder.Services.AddGrpc(grpc =>
{
    grpc.Interceptors.Add<PartnerCalls>();
    grpc.Interceptors.Add<StorageErrors>();
    grpc.MaxReceiveMessageSize = AgentLimits.MaxMessageBytes;
    grpc.MaxSendMessageSize = AgentLimits.MaxMessageBytes;
});

var app = builder.Build();
app.MapGrpcService<StorageAgentService>();
// Said once Kestrel listens, so whoever started the agent (a test, a script) knows it can be reached.
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"Replication agent ready: storage '{options.StorageFolder}', listening on {options.Listen}."));
app.Run();
return 0;
