namespace Replication.Agent.Protocol;

/// <summary>
/// How a failure on the agent travels to its caller: gRPC trailers naming the kind of failure (and, for a driver
/// failure, its DriverErrorIds value), so the caller raises the exception the driver contract promises. Shared by the
/// agent and the Agent driver (linked into both).
/// </summary>
public static class AgentFaults
{
    public const string KindKey = "replication-fault-kind";
    public const string ErrorIdKey = "replication-error-id";

    /// <summary>A StorageDriverException; its ErrorId is in <see cref="ErrorIdKey"/>.</summary>
    public const string Driver = "driver";

    public const string FileNotFound = "file-not-found";

    public const string Io = "io";

    public const string OutOfRange = "out-of-range";

    public const string Argument = "argument";
}
