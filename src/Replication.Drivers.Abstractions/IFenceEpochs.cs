namespace Replication.Drivers;

/// <summary>
/// A driver whose storage at each site keeps a volume's fence epoch itself (a storage agent): the engine bumps the epoch
/// with every promotion and re-enable and asserts it to both copies' storage; the storage then refuses writes to a copy
/// demoted at a newer epoch, also when it learns of the promotion only later, from its partner site.
/// </summary>
public interface IFenceEpochs
{
    /// <summary>
    /// Tells the storage of <see cref="FenceEpochAssertion.Backend"/> the copy's epoch and role. Throws a
    /// <see cref="StorageDriverException"/> with <see cref="DriverErrorIds.StorageRefused"/> when the storage knows a newer
    /// epoch for the copy (the caller's state is behind the site's).
    /// </summary>
    void AssertEpoch(FenceEpochAssertion assertion);

    /// <summary>
    /// The copy's change stamp when its storage fenced it on learning of a newer epoch, if nothing wrote to the copy since
    /// the storage last confirmed it was the primary (so it holds no write made after the promotion); null otherwise.
    /// </summary>
    string? CleanFenceStamp(BackendConfiguration backend, string location);
}

/// <summary>A copy's fence epoch and role as the engine's state has them, and the other copy of the volume.</summary>
public sealed class FenceEpochAssertion
{
    public FenceEpochAssertion(BackendConfiguration backend, string location, long epoch, bool primary, BackendConfiguration partner, string partnerLocation)
    {
        Backend = backend;
        Location = location;
        Epoch = epoch;
        Primary = primary;
        Partner = partner;
        PartnerLocation = partnerLocation;
    }

    public BackendConfiguration Backend { get; }

    public string Location { get; }

    public long Epoch { get; }

    /// <summary>True for the copy that is served (the primary); false for the replica or a fenced former primary.</summary>
    public bool Primary { get; }

    public BackendConfiguration Partner { get; }

    public string PartnerLocation { get; }
}
