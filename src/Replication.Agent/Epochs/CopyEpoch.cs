namespace Replication.Agent.Epochs;

/// <summary>
/// What this agent knows of one of its copies' fence epoch: the epoch, whether the copy is the primary at it, whether it
/// is fenced, and the other copy (its agent and location) to ask before this one is written. Kept on disk by <see cref="CopyEpochs"/>.
/// </summary>
public sealed record CopyEpoch
{
    public string Location { get; init; } = "";

    public string BackendName { get; init; } = "";

    public string StateStoreId { get; init; } = "";

    public long Epoch { get; init; }

    public bool Primary { get; init; }

    public bool Fenced { get; init; }

    public string PartnerAddress { get; init; } = "";

    public string PartnerThumbprint { get; init; } = "";

    public string PartnerLocation { get; init; } = "";

    /// <summary>The copy's stamp when this agent fenced it with nothing written since it last confirmed its epoch; null otherwise.</summary>
    public string? CleanFenceStamp { get; init; }

    public bool HasPartner => PartnerAddress.Length > 0 && PartnerThumbprint.Length > 0 && PartnerLocation.Length > 0;
}
