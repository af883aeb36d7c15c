namespace Replication.Engine.Export.Nbd;

/// <summary>
/// The numbers of the NBD protocol (github.com/NetworkBlockDevice/nbd, doc/proto.md) that this server speaks: the
/// fixed-newstyle handshake, simple and structured replies, the base:allocation meta context, and the commands READ,
/// WRITE, DISC, FLUSH, TRIM, WRITE_ZEROES and BLOCK_STATUS.
/// </summary>
internal static class NbdProtocol
{
    public const ulong InitMagic = 0x4e42444d41474943; // "NBDMAGIC"
    public const ulong OptionMagic = 0x49484156454F5054; // "IHAVEOPT"
    public const ulong OptionReplyMagic = 0x0003e889045565a9;
    public const uint RequestMagic = 0x25609513;
    public const uint SimpleReplyMagic = 0x67446698;
    public const uint StructuredReplyMagic = 0x668e33ef;

    // Handshake flags (server) and client flags.
    public const ushort FlagFixedNewstyle = 1 << 0;
    public const ushort FlagNoZeroes = 1 << 1;
    public const uint ClientFlagFixedNewstyle = 1 << 0;
    public const uint ClientFlagNoZeroes = 1 << 1;

    // Options.
    public const uint OptExportName = 1;
    public const uint OptAbort = 2;
    public const uint OptList = 3;
    public const uint OptInfo = 6;
    public const uint OptGo = 7;
    public const uint OptStructuredReply = 8;
    public const uint OptListMetaContext = 9;
    public const uint OptSetMetaContext = 10;

    // Option replies.
    public const uint RepAck = 1;
    public const uint RepServer = 2;
    public const uint RepInfo = 3;
    public const uint RepMetaContext = 4;
    public const uint RepErrUnsupported = (1u << 31) + 1;
    public const uint RepErrInvalid = (1u << 31) + 3;
    public const uint RepErrUnknown = (1u << 31) + 6;
    public const uint RepErrTooBig = (1u << 31) + 9;

    // Information types of NBD_OPT_INFO and NBD_OPT_GO.
    public const ushort InfoExport = 0;
    public const ushort InfoName = 1;
    public const ushort InfoBlockSize = 3;

    // Transmission flags.
    public const ushort TransHasFlags = 1 << 0;
    public const ushort TransReadOnly = 1 << 1;
    public const ushort TransSendFlush = 1 << 2;
    public const ushort TransSendFua = 1 << 3;
    public const ushort TransSendTrim = 1 << 5;
    public const ushort TransSendWriteZeroes = 1 << 6;
    public const ushort TransCanMultiConn = 1 << 8;

    // Commands.
    public const ushort CmdRead = 0;
    public const ushort CmdWrite = 1;
    public const ushort CmdDisconnect = 2;
    public const ushort CmdFlush = 3;
    public const ushort CmdTrim = 4;
    public const ushort CmdWriteZeroes = 6;
    public const ushort CmdBlockStatus = 7;

    // Command flags.
    public const ushort CmdFlagFua = 1 << 0;
    public const ushort CmdFlagNoHole = 1 << 1;
    public const ushort CmdFlagReqOne = 1 << 3;

    // Structured reply chunks: the flag of the last chunk of a reply, and the chunk types.
    public const ushort ReplyFlagDone = 1 << 0;
    public const ushort ReplyTypeOffsetData = 1;
    public const ushort ReplyTypeBlockStatus = 5;
    public const ushort ReplyTypeError = (1 << 15) + 1;

    // The one meta context served, and the flags of its extents.
    public const string AllocationContextName = "base:allocation";
    public const uint AllocationContextId = 1;
    public const uint StateHole = 1 << 0;
    public const uint StateZero = 1 << 1;

    // Errors in replies (errno values, as the protocol fixes them).
    public const uint ErrPermission = 1;
    public const uint ErrIo = 5;
    public const uint ErrInvalid = 22;
    public const uint ErrNoSpace = 28;
    public const uint ErrShutdown = 108;

    /// <summary>The longest READ or WRITE served, and the maximum block size advertised: qemu's default too.</summary>
    public const int MaxPayload = 32 * 1024 * 1024;

    /// <summary>Preferred block size advertised: the page size, below which writes cost a read-modify-write.</summary>
    public const int PreferredBlockSize = 4096;

    /// <summary>The longest option data read during the handshake; a longer one ends the connection.</summary>
    public const int MaxOptionLength = 64 * 1024;

    /// <summary>The longest export name (and meta context query), as the protocol allows for its strings.</summary>
    public const int MaxNameLength = 4096;

    /// <summary>
    /// The most extents one block status reply describes (the protocol asks for at most 2^20): 128 KiB of reply. A client
    /// asks again from where the reply ended.
    /// </summary>
    public const int MaxBlockStatusExtents = 16 * 1024;
}
