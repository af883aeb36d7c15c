using System;
using System.Collections.Generic;
using Replication.Engine.Catalog;
using Replication.Engine.DrTests;
using Replication.Engine.Export;
using Replication.Engine.Failover;
using Replication.Engine.Files;
using Replication.Engine.Groups;
using Replication.Engine.Model;
using Replication.Engine.RecoveryPoints;
using Replication.Engine.Repair;
using Replication.Engine.Replication;
using Replication.Engine.State;
using Replication.Engine.State.Sqlite;
using Replication.Engine.Transfer;
using Replication.Engine.Volumes;

namespace Replication.Engine;

/// <summary>
/// The one engine every host uses. It owns the rules (capabilities, placement, the replication state machine and its
/// guards), calls the drivers for storage work, and records every change in the state store.
/// </summary>
public sealed class ReplicationEngine
{
    public ReplicationEngine(EngineContext context)
    {
        Context = context;
        Backends = new BackendCatalog(context);
        VolumeTypes = new VolumeTypeCatalog(context, Backends);
        Leases = new VolumeLeases(context);
        Replication = new ReplicationService(context, Leases);
        Snapshots = new Snapshots.SnapshotService(context, Leases);
        Volumes = new VolumeService(context, Backends, Replication, Leases, Snapshots);
        Repair = new StateRepair(context, Leases, Volumes, Replication.Rounds, Snapshots);
        Groups = new GroupCatalog(context, Leases, Replication.Rounds);
        GroupOperations = new GroupOperations(context, Leases, Replication.Rounds, Replication.Promotion, Replication.Reenable);
        DrTests = new DrTestService(context, Volumes, Leases);
        Failover = new BackendFailover(context, Replication, Replication.Reenable, Leases, GroupOperations);
        StateCopy = new StateStoreCopy(context);
        Exports = new ExportCatalog(this);
        Reports = new ReportFiles(context);
        RecoveryPoints = new RecoveryPointService(context, Leases);
    }

    public EngineContext Context { get; }

    public BackendCatalog Backends { get; }

    public VolumeTypeCatalog VolumeTypes { get; }

    public VolumeService Volumes { get; }

    public ReplicationService Replication { get; }

    /// <summary>Per-volume claims that keep two operations (in any process) off one volume at a time.</summary>
    public VolumeLeases Leases { get; }

    /// <summary>Finishes or rolls back what crashes and faults left behind.</summary>
    public StateRepair Repair { get; }

    /// <summary>Replication groups: defining them and their members.</summary>
    public GroupCatalog Groups { get; }

    /// <summary>Replication groups moved as one unit: group rounds, promotion, re-enable, pause.</summary>
    public GroupOperations GroupOperations { get; }

    /// <summary>DR tests of replicas, and their recorded history.</summary>
    public DrTestService DrTests { get; }

    /// <summary>Whole-backend failover and failback.</summary>
    public BackendFailover Failover { get; }

    /// <summary>Volumes served over NBD, with their writes tracked (and mirrored, for synchronous replication).</summary>
    public ExportCatalog Exports { get; }

    /// <summary>Copies the whole state to another store, such as a SQLite file to a shared PostgreSQL database.</summary>
    public StateStoreCopy StateCopy { get; }

    /// <summary>Reports written where the admin asks (-ReportPath), never over a file of the module's own.</summary>
    public ReportFiles Reports { get; }

    /// <summary>Recovery points: list, check, read, remove.</summary>
    public RecoveryPointService RecoveryPoints { get; }

    /// <summary>Volume snapshots: New-, Get-, Remove-VolumeSnapshot.</summary>
    public Snapshots.SnapshotService Snapshots { get; }

    /// <summary>An engine on the SQLite state file at <paramref name="statePath"/> with the built-in drivers.</summary>
    public static ReplicationEngine OpenSqlite(string statePath, Func<DateTimeOffset>? clock = null) =>
        Open(SqliteStateStore.Open(statePath), clock);

    /// <summary>An engine on the state store at <paramref name="address"/> (a SQLite file or a PostgreSQL database) with the built-in drivers.</summary>
    public static ReplicationEngine Open(StateAddress address, Func<DateTimeOffset>? clock = null) =>
        Open(StateStores.Open(address), clock);

    /// <summary>With the built-in drivers and those registered in the store (Register-StorageDriver).</summary>
    private static ReplicationEngine Open(IStateStore store, Func<DateTimeOffset>? clock) =>
        new(new EngineContext(store, DriverRegistry.ForStore(store), clock));

    public IReadOnlyList<ReplicationEvent> Events(EventQuery query)
    {
        using var session = Context.Store.Begin(write: false);
        return session.ListEvents(query);
    }
}
