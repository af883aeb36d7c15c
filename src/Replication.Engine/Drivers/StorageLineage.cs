using System.Collections.Generic;

namespace Replication.Engine.Drivers;

/// <summary>The identity of a backend's storage (null while it does not exist) and of everything it lies within, innermost first.</summary>
public sealed record StorageLineage(string? Self, IReadOnlyList<string> Above);
