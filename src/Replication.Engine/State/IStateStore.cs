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
}
