using System;

namespace Replication.Drivers;

/// <summary>A storage failure a driver reports; <see cref="ErrorId"/> is one of <see cref="DriverErrorIds"/>.</summary>
public class StorageDriverException : Exception
{
    public StorageDriverException(string errorId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
    }

    public string ErrorId { get; }
}

/// <summary>The ErrorIds a driver's failures carry; the engine maps them to the module's own.</summary>
public static class DriverErrorIds
{
    /// <summary>A setting is unknown, missing or has a refused value.</summary>
    public const string InvalidSetting = "InvalidSetting";

    /// <summary>The backend's storage cannot be reached (down, unmounted, refused credentials).</summary>
    public const string BackendUnreachable = "BackendUnreachable";

    /// <summary>The storage belongs to someone else (another state store, a foreign owner, a link).</summary>
    public const string StorageRefused = "StorageRefused";

    /// <summary>The copy does not exist.</summary>
    public const string CopyMissing = "CopyMissing";

    /// <summary>The copy is fenced and was opened or changed for writing.</summary>
    public const string Fenced = "Fenced";

    /// <summary>The storage is full.</summary>
    public const string NoSpace = "NoSpace";

    /// <summary>A read or write failed.</summary>
    public const string IoFault = "IoFault";

    /// <summary>The operation is not supported by this driver or backend.</summary>
    public const string NotSupported = "NotSupported";
}
