namespace Replication.Engine.State;

/// <summary>Where the engine keeps its state. Every change happens inside one session, committed as one transaction.</summary>
public interface IStateStore
{
    /// <summary>Human-readable location, for messages.</summary>
    string Location { get; }

    /// <summary>
    /// Opens a transaction. A writing session takes the write lock at once, so the checks the engine makes inside it
    /// still hold when it writes (no other process can change the rows in between).
    /// </summary>
    IStateSession Begin(bool write);

    /// <summary>
    /// A writing session that only takes, renews or gives back a lease. Its commit need not reach the disk before it
    /// returns where losing it in a power failure harms nothing: a store only this machine's processes share (SQLite)
    /// loses the lease together with its holder. A store other machines share keeps it as durable as any write.
    /// </summary>
    IStateSession BeginLeaseWrite();
}
