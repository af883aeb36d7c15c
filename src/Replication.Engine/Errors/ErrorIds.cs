namespace Replication.Engine.Errors;

/// <summary>Stable error identifiers. They are part of the public contract: never rename one.</summary>
public static class ErrorIds
{
    // Input the engine refuses before it changes anything.
    public const string InvalidName = nameof(InvalidName);
    public const string InvalidDescription = nameof(InvalidDescription);
    public const string InvalidExtraSpec = nameof(InvalidExtraSpec);
    public const string InvalidCapability = nameof(InvalidCapability);
    public const string InvalidSize = nameof(InvalidSize);
    public const string InvalidPath = nameof(InvalidPath);
    public const string InvalidAddress = nameof(InvalidAddress);
    public const string InvalidReplicationStatus = nameof(InvalidReplicationStatus);
    public const string UnknownDriver = nameof(UnknownDriver);

    // Objects that exist, or do not, or are still used.
    public const string BackendExists = nameof(BackendExists);
    public const string DriverExists = nameof(DriverExists);
    public const string BackendNotFound = nameof(BackendNotFound);
    public const string BackendInUse = nameof(BackendInUse);
    public const string BackendChangeInUse = nameof(BackendChangeInUse);
    public const string BackendPathUnusable = nameof(BackendPathUnusable);
    public const string InvalidReplicationPartner = nameof(InvalidReplicationPartner);
    public const string VolumeTypeExists = nameof(VolumeTypeExists);
    public const string VolumeTypeNotFound = nameof(VolumeTypeNotFound);
    public const string VolumeTypeInUse = nameof(VolumeTypeInUse);
    public const string VolumeTypeSpecsNotMet = nameof(VolumeTypeSpecsNotMet);
    public const string VolumeExists = nameof(VolumeExists);
    public const string VolumeNotFound = nameof(VolumeNotFound);

    // Placement.
    public const string NoValidBackend = nameof(NoValidBackend);

    // Rules of the replication state machine (Cinder's guards); each names the rule in its message.
    public const string VolumeNotAvailable = nameof(VolumeNotAvailable);
    public const string SyncNotAllowed = nameof(SyncNotAllowed);
    public const string PromotionNotAllowed = nameof(PromotionNotAllowed);
    public const string ReenableNotAllowed = nameof(ReenableNotAllowed);
    public const string PauseNotAllowed = nameof(PauseNotAllowed);
    public const string CloneFromReplicaNotAllowed = nameof(CloneFromReplicaNotAllowed);
    public const string CloneFromVolumeNotAllowed = nameof(CloneFromVolumeNotAllowed);
    public const string ExtendNotAllowed = nameof(ExtendNotAllowed);
    public const string VolumeShrinkNotAllowed = nameof(VolumeShrinkNotAllowed);
    public const string RetypeNotAllowed = nameof(RetypeNotAllowed);
    public const string MigrateNotAllowed = nameof(MigrateNotAllowed);
    public const string ConcurrentChange = nameof(ConcurrentChange);
    public const string VolumeBusy = nameof(VolumeBusy);
    public const string BackendFrozen = nameof(BackendFrozen);
    public const string BackendFailedOver = nameof(BackendFailedOver);
    public const string BackendNotFailedOver = nameof(BackendNotFailedOver);
    public const string FencedCopyChanged = nameof(FencedCopyChanged);
    public const string GroupExists = nameof(GroupExists);
    public const string GroupNotFound = nameof(GroupNotFound);
    public const string GroupMembershipRefused = nameof(GroupMembershipRefused);
    public const string GroupMemberOperation = nameof(GroupMemberOperation);
    public const string GroupNotConsistent = nameof(GroupNotConsistent);
    public const string GroupPromotionUnfinished = nameof(GroupPromotionUnfinished);
    public const string VolumeExported = nameof(VolumeExported);

    // Exports over NBD.
    public const string VolumeAlreadyExported = nameof(VolumeAlreadyExported);
    public const string ExportNotFound = nameof(ExportNotFound);
    public const string ExportPortInUse = nameof(ExportPortInUse);
    public const string ExportUnreachable = nameof(ExportUnreachable);
    public const string ExportServiceFailed = nameof(ExportServiceFailed);
    public const string InvalidExportLimit = nameof(InvalidExportLimit);

    // Storage faults.
    public const string PrimaryUnreadable = nameof(PrimaryUnreadable);
    public const string ReplicaUnwritable = nameof(ReplicaUnwritable);
    public const string VolumeFileFault = nameof(VolumeFileFault);
    public const string SyncJournalCorrupt = nameof(SyncJournalCorrupt);
    public const string PlannedPromotionFailed = nameof(PlannedPromotionFailed);

    /// <summary>A replica's real blocks differ from the round its block map records: it was changed or damaged on disk.</summary>
    public const string ReplicaDamaged = nameof(ReplicaDamaged);
    // Trust in what is on disk.
    /// <summary>A link (symbolic link, junction, reparse point) where the module expects a file or folder of its own.</summary>
    public const string LinkRefused = nameof(LinkRefused);

    /// <summary>A folder (or file) owned by another user, writable by others, or not the kind of thing the module made.</summary>
    public const string PathNotTrusted = nameof(PathNotTrusted);

    /// <summary>A backend folder that is, lies inside or holds another backend's folder, or belongs to another state store.</summary>
    public const string BackendFolderTaken = nameof(BackendFolderTaken);

    /// <summary>A backend setting (-Setting) the driver does not know or whose value it refuses.</summary>
    public const string InvalidSetting = nameof(InvalidSetting);

    /// <summary>A -ReportPath that names a file of the module (the state file, anything in a backend folder) or a link.</summary>
    public const string ReportPathRefused = nameof(ReportPathRefused);

    /// <summary>A report whose file could not be written (no permission, a full disk); nothing else was changed.</summary>
    public const string ReportNotWritten = nameof(ReportNotWritten);

    // The state store.
    public const string StateStoreUnavailable = nameof(StateStoreUnavailable);
    public const string StateStoreCorrupt = nameof(StateStoreCorrupt);
    public const string StateStoreBusy = nameof(StateStoreBusy);
    public const string StateStoreTooNew = nameof(StateStoreTooNew);
    public const string StateStoreConnectionFailed = nameof(StateStoreConnectionFailed);
    public const string StateStoreNotSupported = nameof(StateStoreNotSupported);
    public const string StateStoreNotEmpty = nameof(StateStoreNotEmpty);
    public const string StateStoreInUse = nameof(StateStoreInUse);
    public const string StateStoreCopyMismatch = nameof(StateStoreCopyMismatch);

    /// <summary>A state file (or its folder) that is a link, owned by another user, writable by others, or empty without the module having made it.</summary>
    public const string StateStoreUntrusted = nameof(StateStoreUntrusted);

    // Storage drivers loaded from their own assemblies.
    public const string DriverLoadFailed = nameof(DriverLoadFailed);
    public const string DriverNotFound = nameof(DriverNotFound);
    public const string DriverInUse = nameof(DriverInUse);
    public const string DriverModuleNotFound = nameof(DriverModuleNotFound);

    // Secret settings, given by reference (env:, vault:).
    public const string SecretInClear = nameof(SecretInClear);
    public const string SecretUnresolvable = nameof(SecretUnresolvable);

    // Recovery points (replication:recovery_* extra specs).
    public const string RecoveryPointNotFound = nameof(RecoveryPointNotFound);
    public const string RecoveryPointUnreadable = nameof(RecoveryPointUnreadable);
    public const string RecoveryPointImmutable = nameof(RecoveryPointImmutable);
    public const string RecoveryPointInUse = nameof(RecoveryPointInUse);
    public const string GroupRecoveryPointIncomplete = nameof(GroupRecoveryPointIncomplete);

    // Volume snapshots (New-VolumeSnapshot).
    public const string SnapshotNotAllowed = nameof(SnapshotNotAllowed);
    public const string SnapshotNotFound = nameof(SnapshotNotFound);
    public const string SnapshotExists = nameof(SnapshotExists);
    public const string SnapshotsNotSupported = nameof(SnapshotsNotSupported);
    public const string SnapshotRaced = nameof(SnapshotRaced);
    public const string VolumeHasSnapshots = nameof(VolumeHasSnapshots);
}
