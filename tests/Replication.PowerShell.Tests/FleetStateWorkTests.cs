using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Replication.Engine.State;
using Xunit.Abstractions;

namespace Replication.PowerShell.Tests;

/// <summary>
/// The pipelines a runbook runs over a fleet cost the same state work per piped object at 50 volumes as at 400: the
/// statements run and rows read on the state store, counted, not timed. A cmdlet that read the whole fleet for every
/// object it is given would read eight times the rows per object at 400.
/// </summary>
public sealed class FleetStateWorkTests : IClassFixture<FleetStateWorkTests.Fleet>
{
    private readonly Fleet _fleet;
    private readonly ITestOutputHelper _output;

    public FleetStateWorkTests(Fleet fleet, ITestOutputHelper output)
    {
        _fleet = fleet;
        _output = output;
    }

    public static readonly TheoryData<string, string> Pipelines = new()
    {
        { "Get-Volume", "Get-VolumeReplica" },
        { "Get-Volume", "Measure-VolumeReplica" },
        // The recovery history (issue 16) of piped names, read for the whole pipeline in one batched query.
        { "Get-Volume | Select-Object Name", "Get-VolumeReplica" },
        { "Get-Volume | Select-Object Name", "Measure-VolumeReplica" },
        { "Get-Volume | Select-Object Name", "Test-VolumeReplica -WhatIf" },
        { "Get-Volume", "Sync-VolumeReplica -ErrorAction SilentlyContinue" },
        { "Get-Volume | Select-Object Name", "Sync-VolumeReplica -ErrorAction SilentlyContinue" },
        { "Get-Volume | Select-Object Name", "Get-Volume" },
        { "Get-Volume", "Get-VolumeExport -ErrorAction SilentlyContinue" },
        { "Get-Volume | ForEach-Object { 'missing-' + $_.Name }", "Get-VolumeReplica -ErrorAction SilentlyContinue" },
        { "Get-Volume | ForEach-Object { 'missing-' + $_.Name }", "Get-Volume -ErrorAction SilentlyContinue" },
        { "Get-Volume | ForEach-Object { 'missing-' + $_.Name }", "Measure-VolumeReplica -ErrorAction SilentlyContinue" },
        { "Get-Volume | ForEach-Object { 'missing-' + $_.Name }", "Sync-VolumeReplica -ErrorAction SilentlyContinue" },
        // The changes of issue 17, each settled by the first run (the same size, type or backend again changes nothing).
        { "Get-Volume", "Resize-Volume -SizeBytes 1MB -ErrorAction SilentlyContinue" },
        { "Get-Volume -VolumeType replicated", "Set-Volume -VolumeType replicated -Force -ErrorAction SilentlyContinue" },
        { "Get-Volume", "Move-Volume -Backend dc1 -ErrorAction SilentlyContinue" },
        // Snapshots: one indexed read of the volume's snapshots per piped volume.
        { "Get-Volume", "Get-VolumeSnapshot" },
        { "Get-Volume | ForEach-Object { 'missing-' + $_.Name }", "Get-VolumeSnapshot -ErrorAction SilentlyContinue" },
        // Types first: the spec it adds is a row every later Set-StorageBackend reads, at both sizes.
        { "Get-VolumeType", "Set-VolumeType -ExtraSpec @{ 'replication:rpo_minutes' = '15' } -ErrorAction SilentlyContinue" },
        { "Get-StorageBackend", "Set-StorageBackend -Capability @{ tier = 'gold' } -ErrorAction SilentlyContinue" },
    };

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void State_work_per_piped_object_does_not_grow_with_the_fleet(string source, string command)
    {
        var small = _fleet.PerObject(Fleet.SmallSize, source, command);
        var large = _fleet.PerObject(Fleet.LargeSize, source, command);
        _output.WriteLine($"{source} | {command}: per object {small.Statements:0.##} statements, {small.Rows:0.##} rows at {Fleet.SmallSize} volumes; {large.Statements:0.##} statements, {large.Rows:0.##} rows at {Fleet.LargeSize}.");

        // Reading what a pipeline needs once (a list of the fleet) costs up to one row per object at either size.
        Assert.True(large.Statements <= small.Statements * 1.1 + 0.05,
            $"{source} | {command}: {small.Statements:0.##} statements per object at {Fleet.SmallSize} volumes, {large.Statements:0.##} at {Fleet.LargeSize}.");
        Assert.True(large.Rows <= small.Rows * 1.1 + 1,
            $"{source} | {command}: {small.Rows:0.##} rows read per object at {Fleet.SmallSize} volumes, {large.Rows:0.##} at {Fleet.LargeSize}.");
    }

    /// <summary>
    /// One state file holding <see cref="SmallSize"/> volumes, then <see cref="LargeSize"/>; every fifth volume plain
    /// (its replication disabled), the rest replicated, keeping recovery points. Each pipeline is measured at both sizes.
    /// </summary>
    public sealed class Fleet : IDisposable
    {
        public const int SmallSize = 50;
        public const int LargeSize = 400;

        private readonly CmdletHost _host = new();
        private readonly Dictionary<(int, string, string), (double Statements, double Rows)> _measured = new();
        private readonly StateWorkCounts _work;
        private int _size;

        public Fleet()
        {
            _host.AddStory();
            // Replicated volumes keep recovery points, so the replica views read a recovery history.
            _host.Script("Set-VolumeType -Name replicated -ExtraSpec @{ 'replication:recovery_points' = '3' }").AssertNoErrors();
            _work = StateWork.For(Path.GetFullPath(_host.StatePath));
            foreach (var size in new[] { SmallSize, LargeSize })
            {
                GrowTo(size);
                foreach (var pipeline in Pipelines)
                {
                    var (source, command) = ((string)pipeline[0], (string)pipeline[1]);
                    _measured[(size, source, command)] = Measure(source, command);
                }
            }
        }

        public (double Statements, double Rows) PerObject(int size, string source, string command) => _measured[(size, source, command)];

        public void Dispose() => _host.Dispose();

        /// <summary>
        /// The state work the pipeline did per object its source gave (a volume of the fleet, or a backend or type, of
        /// which there are as many at either size), less what the source itself did.
        /// </summary>
        private (double Statements, double Rows) Measure(string source, string command)
        {
            // Settled first: a sync after the volumes' first round has nothing to copy.
            Work($"{source} | {command} | Out-Null");
            var alone = Work($"@({source}).Count");
            var whole = Work($"{source} | {command} | Out-Null");
            var objects = Math.Max(1, Convert.ToInt32(alone.Output.Single(), System.Globalization.CultureInfo.InvariantCulture));
            return ((whole.Statements - alone.Statements) / (double)objects, (whole.Rows - alone.Rows) / (double)objects);
        }

        private (long Statements, long Rows, IReadOnlyList<object> Output) Work(string script)
        {
            var before = _work.Read();
            var result = _host.Script(script);
            Assert.True(result.Terminating is null, $"{script}: {result.Terminating?.Message}");
            var after = _work.Read();
            return (after.Statements - before.Statements, after.Rows - before.Rows, result.Objects);
        }

        private void GrowTo(int size)
        {
            if (size > _size)
            {
                _host.Script(@"
                    $args[0]..$args[1] | ForEach-Object { [pscustomobject]@{ Name = 'fleet{0:d4}' -f $_; SizeBytes = 1MB; VolumeType = $(if ($_ % 5 -eq 0) { 'plain' } else { 'replicated' }) } } |
                        New-Volume | Out-Null", _size + 1, size).AssertNoErrors();
                _size = size;
            }
        }
    }
}
