using System;

namespace Replication.Engine.Errors;

/// <summary>Work done for many items at once, where one item's failure is that item's alone.</summary>
internal static class Failures
{
    /// <summary>Runs <paramref name="work"/>; returns its failure, or null when it succeeded.</summary>
    public static ReplicationException? Of(Action work)
    {
        try
        {
            work();
            return null;
        }
        catch (ReplicationException ex)
        {
            return ex;
        }
    }
}
