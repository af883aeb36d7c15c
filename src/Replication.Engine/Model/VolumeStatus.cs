namespace Replication.Engine.Model;

/// <summary>The volume's own lifecycle status (Cinder's volume status), separate from its replication status.</summary>
public enum VolumeStatus
{
    /// <summary>Files are being created; a crash here is rolled back by the next create or remove of the name.</summary>
    Creating,

    /// <summary>Ready for use.</summary>
    Available,

    /// <summary>Files are being removed; a crash here is finished by the next remove.</summary>
    Deleting,

    /// <summary>The volume's own file is faulty.</summary>
    Error,
}
