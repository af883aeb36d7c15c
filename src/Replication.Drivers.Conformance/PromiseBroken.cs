using System;

namespace Replication.Drivers.Conformance;

/// <summary>Thrown inside a promise's check when the driver broke it; the message is the result's detail.</summary>
internal sealed class PromiseBroken : Exception
{
    public PromiseBroken(string message)
        : base(message)
    {
    }
}
