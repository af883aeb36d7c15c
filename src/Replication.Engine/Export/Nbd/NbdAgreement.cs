namespace Replication.Engine.Export.Nbd;

/// <summary>What a client and the server agreed in the handshake: the export, and how the transmission phase replies.</summary>
internal sealed class NbdAgreement
{
    public NbdAgreement(INbdExport export, bool structuredReplies, uint? allocationContext)
    {
        Export = export;
        StructuredReplies = structuredReplies;
        AllocationContext = allocationContext;
    }

    public INbdExport Export { get; }

    /// <summary>NBD_OPT_STRUCTURED_REPLY was acknowledged: reads (and errors) are answered in structured reply chunks.</summary>
    public bool StructuredReplies { get; }

    /// <summary>The id of the base:allocation meta context the client selected for this export, or null: NBD_CMD_BLOCK_STATUS is then refused.</summary>
    public uint? AllocationContext { get; }
}
