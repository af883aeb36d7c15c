using Replication.Engine.Drivers;

namespace Replication.Engine.Replication;

/// <summary>The fence a promotion set on the old primary before swapping the sides, and how to lift it if the swap fails.</summary>
internal sealed class FenceOfOldPrimary
{
    private readonly EngineDriver _driver;
    private readonly VolumeCopy _copy;

    public FenceOfOldPrimary(EngineDriver driver, VolumeCopy copy, bool onDisk, string? stamp)
    {
        _driver = driver;
        _copy = copy;
        OnDisk = onDisk;
        Stamp = stamp;
    }

    /// <summary>False when the copy could not be reached: the fence is then recorded in state only.</summary>
    public bool OnDisk { get; }

    /// <summary>The copy's stamp right after the fence; a later change means something wrote to the fenced copy.</summary>
    public string? Stamp { get; }

    public void Undo()
    {
        if (OnDisk)
        {
            _driver.Unfence(_copy);
        }
    }
}
