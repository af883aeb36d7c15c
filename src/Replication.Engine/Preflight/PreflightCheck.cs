namespace Replication.Engine.Preflight;

/// <summary>What Test-ReplicationPartnership checks, in the order it reports them.</summary>
public enum PreflightCheck
{
    /// <summary>Both backends exist, name each other as replication partners and use the same driver.</summary>
    Pairing,

    /// <summary>The backend's storage (for LocalFile, its folder) exists and can be listed.</summary>
    FolderReachable,

    /// <summary>A probe file can be written to the backend's storage and removed again.</summary>
    FolderWritable,

    /// <summary>The file system reports holes (SEEK_DATA), so sync reads only data and replicas stay sparse.</summary>
    SparseFiles,

    /// <summary>The file system's file times agree with this machine's clock (the quick check that skips unchanged volumes trusts them).</summary>
    ClockSkew,

    /// <summary>Both sides have the same file-system block size.</summary>
    BlockSize,

    /// <summary>The side has room for the data of the replicas it holds for its partner.</summary>
    FreeSpace,

    /// <summary>Thin provisioning: the side has room for those replicas even if every volume filled up.</summary>
    ProvisionedSpace,

    /// <summary>Room left once the replicas are written: at least a tenth of the file system, and how many more volumes fit.</summary>
    Headroom,
}
