using System.Collections.Generic;

namespace Replication.Engine.Export.Nbd;

/// <summary>The exports a server offers, looked up by name as clients ask for them.</summary>
internal interface INbdExportDirectory
{
    /// <summary>The export with this name (exact, as NBD names are), or null.</summary>
    INbdExport? Find(string name);

    IReadOnlyList<string> Names { get; }
}
