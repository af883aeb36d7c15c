using System;
using System.Collections.Generic;

namespace Replication.Drivers.Conformance;

/// <summary>
/// The driver under test on its scratch backend, with the checks every promise uses. Each copy a promise makes is
/// remembered and deleted when the promise ends, so promises do not see each other's copies.
/// </summary>
internal sealed class KitBackend
{
    private readonly List<string> _made = new();

    public KitBackend(IStorageDriver driver, BackendConfiguration backend)
    {
        Driver = driver;
        Backend = backend;
    }

    public IStorageDriver Driver { get; }

    public BackendConfiguration Backend { get; }

    /// <summary>The location of a copy the promise may make; deleted when the promise ends.</summary>
    public string NewLocation()
    {
        var location = Driver.LocationFor(Guid.NewGuid());
        _made.Add(location);
        return location;
    }

    public string NewCopy(long size)
    {
        var location = NewLocation();
        Driver.CreateCopy(Backend, location, size);
        return location;
    }

    public IBlockDevice Open(string location, DeviceAccess access) => Driver.Open(Backend, location, access);

    public void CleanUp()
    {
        foreach (var location in _made)
        {
            try
            {
                Driver.SetFence(Backend, location, false);
                Driver.DeleteCopy(Backend, location);
            }
            catch (StorageDriverException)
            {
                // The promise's own result says what went wrong; cleanup only tries.
            }
        }

        _made.Clear();
    }

    public static void Require(bool condition, string broken)
    {
        if (!condition)
        {
            throw new PromiseBroken(broken);
        }
    }

    /// <summary>Runs the action and requires a <see cref="StorageDriverException"/> with the error id.</summary>
    public static void RequireError(string errorId, string what, Action action)
    {
        try
        {
            action();
        }
        catch (StorageDriverException ex) when (ex.ErrorId == errorId)
        {
            return;
        }
        catch (StorageDriverException ex)
        {
            throw new PromiseBroken($"{what} threw ErrorId {ex.ErrorId} ({ex.Message}), not {errorId}.");
        }
        catch (PromiseBroken)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new PromiseBroken($"{what} threw {ex.GetType().Name} ({ex.Message}), not a StorageDriverException with ErrorId {errorId}.");
        }

        throw new PromiseBroken($"{what} did not throw; it should throw ErrorId {errorId}.");
    }

    /// <summary>Bytes that differ from zeros and from each other's offsets: a misplaced write reads wrong.</summary>
    public static byte[] Pattern(int count, int seed)
    {
        var bytes = new byte[count];
        for (var i = 0; i < count; i++)
        {
            bytes[i] = (byte)(((i * 31) + (seed * 7) + 1) % 251 + 1);
        }

        return bytes;
    }

    public static byte[] ReadAll(IBlockDevice device, long offset, int count)
    {
        var buffer = new byte[count];
        device.Read(offset, buffer, 0, count);
        return buffer;
    }

    /// <summary>The first offset (from <paramref name="start"/>) where the bytes are not zero; null when all are.</summary>
    public static long? FirstNonZero(byte[] bytes, long start)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != 0)
            {
                return start + i;
            }
        }

        return null;
    }

    public static void RequireEqual(byte[] expected, byte[] actual, string what)
    {
        Require(expected.Length == actual.Length, $"{what}: {actual.Length} bytes read, expected {expected.Length}.");
        for (var i = 0; i < expected.Length; i++)
        {
            Require(expected[i] == actual[i], $"{what}: byte {i} reads {actual[i]}, expected {expected[i]}.");
        }
    }
}
