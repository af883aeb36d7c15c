using System;

namespace Replication.Engine.Export.Nbd;

/// <summary>A command the export refuses: the connection goes on, and the client gets <see cref="Error"/> (an NBD errno) in the reply.</summary>
internal sealed class NbdCommandException : Exception
{
    public NbdCommandException(uint error, string message)
        : base(message) => Error = error;

    public uint Error { get; }
}
