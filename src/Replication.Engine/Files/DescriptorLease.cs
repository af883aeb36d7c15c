using Microsoft.Win32.SafeHandles;

namespace Replication.Engine.Files;

/// <summary>
/// Keeps the SafeFileHandle referenced while its raw Unix descriptor is in use, so a concurrent Dispose
/// cannot close the descriptor (and let it be reused for another file) mid-call.
/// </summary>
internal readonly ref struct DescriptorLease
{
    private readonly SafeFileHandle handle;

    public DescriptorLease(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        this.handle = handle;
        Descriptor = (int)handle.DangerousGetHandle();
    }

    public int Descriptor { get; }

    public void Dispose() => handle.DangerousRelease();
}
