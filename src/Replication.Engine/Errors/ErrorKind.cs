namespace Replication.Engine.Errors;

/// <summary>
/// What kind of failure an engine error is. Hosts map it to their own categories
/// (the cmdlets map it to PowerShell's ErrorCategory), so the engine stays host-neutral.
/// </summary>
public enum ErrorKind
{
    InvalidArgument,
    ObjectNotFound,
    ResourceExists,
    InvalidOperation,
    ResourceBusy,
    ResourceUnavailable,
    ReadError,
    WriteError,
    InvalidData,
    PermissionDenied,

    /// <summary>A server the engine needs (a PostgreSQL state store) could not be reached or dropped the connection.</summary>
    ConnectionError,
}
