using System.Runtime.InteropServices;

namespace Replication.Engine.Tests.Support;

/// <summary>A fact about Unix behaviour (permission bits, descriptors, lseek); skipped on Windows.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            Skip = "Unix only.";
        }
    }
}
