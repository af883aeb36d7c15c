using System.Collections.Generic;

namespace Replication.Drivers;

/// <summary>What a hypervisor needs to attach a copy, as Cinder's initialize_connection returns it.</summary>
public sealed class ConnectionInfo
{
    public ConnectionInfo(string driverVolumeType, IReadOnlyDictionary<string, string> data)
    {
        DriverVolumeType = driverVolumeType;
        Data = data;
    }

    /// <summary>"file", "rbd", "iscsi", "nbd", ...</summary>
    public string DriverVolumeType { get; }

    /// <summary>The connection data of that type ("path" for a file; "target_portal", "target_iqn" for iSCSI; ...).</summary>
    public IReadOnlyDictionary<string, string> Data { get; }
}
