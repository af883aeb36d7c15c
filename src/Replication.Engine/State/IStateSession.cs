using System;
using System.Collections.Generic;
using Replication.Engine.Model;
using Replication.Engine.Replication;

namespace Replication.Engine.State;

/// <summary>One transaction on the state store. Disposing without <see cref="Commit"/> rolls everything back.</summary>
public interface IStateSession : IDisposable
{
    void Commit();

    /// <summary>The identity the store was given when it was made (or upgraded to schema 8): what its backends' storage is marked with.</summary>
    Guid StoreIdentity();

    BackendRecord? FindBackend(string name);

    IReadOnlyList<BackendRecord> ListBackends();

    void InsertBackend(BackendRecord backend);

    void UpdateBackend(BackendRecord backend);

    void DeleteBackend(string name);

    VolumeTypeRecord? FindVolumeType(string name);

    IReadOnlyList<VolumeTypeRecord> ListVolumeTypes();

    void InsertVolumeType(VolumeTypeRecord volumeType);

    /// <summary>Replaces the type's description and extra specs (its name and creation time stay).</summary>
    void UpdateVolumeType(VolumeTypeRecord volumeType);

    void DeleteVolumeType(string name);

    VolumeRecord? FindVolume(string name);

    VolumeRecord? FindVolume(Guid id);

    IReadOnlyList<VolumeRecord> ListVolumes(VolumeQuery query);

    void InsertVolume(VolumeRecord volume);

    void UpdateVolume(VolumeRecord volume);

    void DeleteVolume(Guid id);

    BlockMap? LoadBlockMap(Guid volumeId);

    void SaveBlockMap(Guid volumeId, BlockMap map);

    void DeleteBlockMap(Guid volumeId);

    VolumeLease? FindLease(Guid volumeId);

    /// <summary>Inserts or replaces the volume's lease.</summary>
    void PutLease(VolumeLease lease);

    /// <summary>Moves the lease's expiry, if <paramref name="holder"/> still holds it; false when it does not.</summary>
    bool RenewLease(Guid volumeId, string holder, DateTimeOffset expiresAt);

    void DeleteLease(Guid volumeId, string holder);

    /// <summary>Records a DR test (with TestId 0) and returns its id.</summary>
    long InsertDrTest(DrTestResult test);

    void UpdateDrTest(DrTestResult test);

    IReadOnlyList<DrTestResult> ListDrTests(DrTestQuery query);

    GroupRecord? FindGroup(string name);

    IReadOnlyList<GroupRecord> ListGroups();

    void InsertGroup(GroupRecord group);

    /// <summary>Deletes the group and its round records (callers settle members' interrupted rounds first).</summary>
    void DeleteGroup(string name);

    void PutGroupRound(GroupRound round);

    GroupRound? FindGroupRound(Guid token);

    /// <summary>The newest committed round of the group, if any.</summary>
    GroupRound? LastCommittedGroupRound(string groupName);

    /// <summary>Rounds started but never committed (their process died), to clean up.</summary>
    IReadOnlyList<GroupRound> ListUncommittedGroupRounds(string groupName);

    void DeleteGroupRound(Guid token);

    /// <summary>The start of a group promotion that has not finished (fences may be set, no side swapped yet).</summary>
    DateTimeOffset? FindGroupPromotion(string groupName);

    void PutGroupPromotion(string groupName, DateTimeOffset startedAt, bool planned);

    void DeleteGroupPromotion(string groupName);

    void AppendEvent(ReplicationEvent replicationEvent);

    IReadOnlyList<ReplicationEvent> ListEvents(EventQuery query);

    /// <summary>Per volume, the sync rounds recorded since <paramref name="since"/>: one aggregate over the rounds' events.</summary>
    IReadOnlyList<RoundFigures> ListRoundFigures(DateTimeOffset since);

    /// <summary>The storage drivers registered from their own assemblies, by name.</summary>
    IReadOnlyList<DriverRegistrationRecord> ListDriverRegistrations();

    void InsertDriverRegistration(DriverRegistrationRecord registration);

    void DeleteDriverRegistration(string name);

    /// <summary>The volume's recovery points, oldest first.</summary>
    IReadOnlyList<RecoveryPointRecord> ListRecoveryPoints(Guid volumeId);

    /// <summary>Every volume's recovery points.</summary>
    IReadOnlyList<RecoveryPointRecord> ListAllRecoveryPoints();

    /// <summary>The recovery history of each of these volumes that keeps points, summed by the store (a few statements for any number of volumes).</summary>
    IReadOnlyList<RecoveryPointSummary> ListRecoveryPointSummaries(IReadOnlyCollection<Guid> volumeIds);

    /// <summary>Inserts or replaces the point of the volume's round.</summary>
    void PutRecoveryPoint(RecoveryPointRecord point);

    void DeleteRecoveryPoint(Guid volumeId, long round);

    /// <summary>The round a promotion is rolling the volume's replica back to, while that rollback is not finished.</summary>
    long? FindRecoveryRollback(Guid volumeId);

    void PutRecoveryRollback(Guid volumeId, long round, DateTimeOffset startedAt);

    void DeleteRecoveryRollback(Guid volumeId);

    /// <summary>The snapshots of the volume (every volume's when null), oldest first.</summary>
    IReadOnlyList<SnapshotRecord> ListSnapshots(Guid? volumeId);

    SnapshotRecord? FindSnapshot(string name);

    void InsertSnapshot(SnapshotRecord snapshot);

    void DeleteSnapshot(Guid id);

    /// <summary>Every row of the store, for a copy to another store.</summary>
    StateContents ExportContents();

    /// <summary>Writes every row of a copy into this store (which the caller found empty), keeping event and DR test ids.</summary>
    void ImportContents(StateContents contents);
}
