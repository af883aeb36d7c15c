namespace Replication.Engine.Tests.Support;

/// <summary>A fact checked through Linux's /proc (a process's open descriptors); skipped elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!System.OperatingSystem.IsLinux())
        {
            Skip = "Linux only (/proc).";
        }
    }
}
