using System;
using System.Management.Automation;
using Replication.Engine.Errors;

namespace Replication.PowerShell.Infrastructure;

/// <summary>Turns engine errors into PowerShell error records: the engine's stable ErrorId, a matching category, the target.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(ReplicationException error, object? target = null) =>
        new(error, error.ErrorId, Category(error.Kind), target ?? error.Target);

    /// <summary>For failures the engine did not foresee: still an error record with a stable id, never a bare exception.</summary>
    public static ErrorRecord Unexpected(Exception error, object? target) =>
        new(error, "UnexpectedError", ErrorCategory.NotSpecified, target);

    public static ErrorRecord Create(string errorId, ErrorCategory category, string message, object? target) =>
        new(new InvalidOperationException(message), errorId, category, target);

    private static ErrorCategory Category(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.ReadError => ErrorCategory.ReadError,
        ErrorKind.WriteError => ErrorCategory.WriteError,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        _ => ErrorCategory.NotSpecified,
    };
}
