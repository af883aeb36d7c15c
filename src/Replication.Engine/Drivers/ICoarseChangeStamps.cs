using System;

namespace Replication.Engine.Drivers;

/// <summary>
/// A driver whose change stamps come from a coarse clock (file times): a write made just after a stamp was taken may
/// leave it unchanged. Such a stamp proves a copy unchanged only when the copy had been quiet a while before it was
/// taken. The engine asks this of the drivers that say so; other drivers' stamps change on every write.
/// </summary>
internal interface ICoarseChangeStamps
{
    /// <summary>True when the copy had been quiet long enough before <paramref name="takenAt"/> that any later write moves <paramref name="stamp"/>.</summary>
    bool ProvesQuiet(string stamp, DateTimeOffset takenAt);
}
