using System;

namespace Replication.Engine.Errors;

/// <summary>
/// The one exception type the engine lets out. <see cref="ErrorId"/> is stable (tests and runbooks match on it),
/// <see cref="Kind"/> says what went wrong, <see cref="Target"/> is the object the error is about.
/// </summary>
public sealed class ReplicationException : Exception
{
    public ReplicationException(string errorId, ErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }

    public ErrorKind Kind { get; }

    public object? Target { get; }
}
