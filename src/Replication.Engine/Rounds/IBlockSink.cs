namespace Replication.Engine.Rounds;

/// <summary>Where changed blocks go: straight into the target, or into a journal applied after it commits.</summary>
internal interface IBlockSink
{
    void Write(long block, byte[] buffer, int offset, int count);

    /// <summary>The block is all zeros on the source: the target should hold a hole there.</summary>
    void Deallocate(long block, int length);
}
