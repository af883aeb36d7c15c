using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Replication.Agent.Epochs;

/// <summary>
/// At start and every few seconds, asks the partner agent about each copy this agent holds as the primary, so a copy
/// demoted while this site could not be reached is fenced (read-only on disk) soon after the site is back, also when
/// nothing writes through the agent: a hypervisor at the site writes to the file itself.
/// </summary>
public sealed class EpochWatcher : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    private readonly CopyEpochs _epochs;
    private readonly EpochGate _gate;
    private readonly ILogger<EpochWatcher> _log;

    public EpochWatcher(CopyEpochs epochs, EpochGate gate, ILogger<EpochWatcher> log)
    {
        _epochs = epochs;
        _gate = gate;
        _log = log;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // A partner that cannot be reached is asked once a sweep, not once per copy (each ask waits for its timeout).
            var unreachable = new HashSet<string>(StringComparer.Ordinal);
            foreach (var epoch in _epochs.All())
            {
                if (!epoch.Primary || epoch.Fenced || !epoch.HasPartner || unreachable.Contains(epoch.PartnerAddress))
                {
                    continue;
                }

                try
                {
                    if (!await _gate.Check(epoch, stoppingToken).ConfigureAwait(false))
                    {
                        unreachable.Add(epoch.PartnerAddress);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _log.LogError(ex, "Checking the fence epoch of '{Location}' with the partner agent failed.", epoch.Location);
                }
            }

            try
            {
                await Task.Delay(Interval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
