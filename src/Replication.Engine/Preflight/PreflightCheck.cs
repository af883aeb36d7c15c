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

    /// <summary>The certificates the backend's storage is reached with are valid now and for a while yet (drivers reached over TLS).</summary>
    Certificates,

    /// <summary>The backend's site reaches its partner's (drivers that replicate site to site): round-trip time and measured rate.</summary>
    PartnerLink,

    /// <summary>The partner site's clock agrees with the backend site's.</summary>
    PartnerClockSkew,

    /// <summary>How long an initial sync of the backend's volumes takes at the measured rate (information; never fails).</summary>
    InitialSync,

    /// <summary>Both sides have the same file-system block size.</summary>
    BlockSize,

    /// <summary>The side has room for the data of the replicas it holds for its partner.</summary>
    FreeSpace,

    /// <summary>Thin provisioning: the side has room for those replicas even if every volume filled up.</summary>
    ProvisionedSpace,

    /// <summary>Room left once the replicas are written: at least a tenth of the file system, and how many more volumes fit.</summary>
    Headroom,
}
