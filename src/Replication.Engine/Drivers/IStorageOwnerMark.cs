using Replication.Engine.State;

namespace Replication.Engine.Drivers;

/// <summary>A driver that marks the storage of a backend as one state store's, and can say when it marked storage an older version left unmarked.</summary>
internal interface IStorageOwnerMark
{
    /// <summary>Marks the storage as <see cref="BackendRecord.StoreId"/>'s if nothing marks it yet; true when it was unmarked until now.</summary>
    bool ClaimStorage(BackendRecord backend);
}
