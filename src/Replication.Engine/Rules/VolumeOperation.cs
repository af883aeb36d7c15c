namespace Replication.Engine.Rules;

/// <summary>The operations that change a volume's copies, each allowed or refused by <see cref="OperationGuards"/>.</summary>
public enum VolumeOperation
{
    /// <summary>Resize-Volume: both copies grow, the replica first.</summary>
    Extend,

    /// <summary>New-Volume -SourceVolume: a new volume copied from this one's primary.</summary>
    CloneFrom,

    /// <summary>Set-Volume -VolumeType: the volume's type changes, adding or removing its replica.</summary>
    Retype,

    /// <summary>Move-Volume -Backend: the copies move to another backend (and its partner).</summary>
    Migrate,

    /// <summary>Remove-Volume.</summary>
    Remove,

    /// <summary>New-VolumeSnapshot: a point-in-time copy of the primary, kept on its backend.</summary>
    Snapshot,
}
