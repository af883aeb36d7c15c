using System;

namespace Replication.Engine.Tests.Support;

/// <summary>A theory about Unix behaviour (permission bits, holes, descriptors); skipped on Windows.</summary>
public sealed class UnixTheoryAttribute : TheoryAttribute
{
    public UnixTheoryAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Unix only.";
        }
    }
}
