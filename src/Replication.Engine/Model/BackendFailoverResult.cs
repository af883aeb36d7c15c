namespace Replication.Engine.Model;

/// <summary>What a backend failover or failback did with one volume.</summary>
public sealed class BackendFailoverResult
{
    public string Backend { get; init; } = "";

    public string VolumeName { get; init; } = "";

    /// <summary>FailedOver, FailedBack, Protected (a volume made during the failover got its replica), NotReplicated, NotFailedOver, Failed.</summary>
    public string Action { get; init; } = "";

    public bool Succeeded { get; init; }

    /// <summary>Where the volume is served from afterwards.</summary>
    public string? PrimaryBackend { get; init; }

    /// <summary>For an unplanned failover: writes to the failed backend in this window before the failover are lost.</summary>
    public double? DataLossSeconds { get; init; }

    /// <summary>Bytes written to bring copies up to date (final syncs and resyncs): the cost of the move.</summary>
    public long BytesCopied { get; init; }

    public string Detail { get; init; } = "";

    public override string ToString() => $"{VolumeName}: {Action}";
}
