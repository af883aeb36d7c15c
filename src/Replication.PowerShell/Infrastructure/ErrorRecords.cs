using System;
using System.Management.Automation;
using Replication.Engine.Errors;

namespace Replication.PowerShell.Infrastructure;

/// <summary>Turns engine errors into PowerShell error records: the engine's stable ErrorId, a matching category, the target.</summary>
internal static class ErrorRecords
{
    /// <param name="names">The command names of the session that shows the error: advice that names a command of the
    /// module names it as the session calls it (with its -Prefix), in the record's ErrorDetails.</param>
    public static ErrorRecord From(ReplicationException error, CommandNames names, object? target = null)
    {
        var record = new ErrorRecord(error, error.ErrorId, Category(error.Kind), target ?? error.Target);
        var shown = names.Render(error.Message);
        if (shown != error.Message)
        {
            record.ErrorDetails = new ErrorDetails(shown);
        }

        return record;
    }

    /// <summary>For failures the engine did not foresee: still an error record with a stable id, never a bare exception.</summary>
    public static ErrorRecord Unexpected(Exception error, object? target) =>
        new(error, "UnexpectedError", ErrorCategory.NotSpecified, target);

    /// <param name="message">Written with the module's command names as the session calls them (<see cref="CommandNames.Render"/>).</param>
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
