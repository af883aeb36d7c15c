using System;
using System.Collections.Generic;
using System.Linq;
using Replication.Drivers;

namespace Replication.Engine.Drivers;

/// <summary>A copy opened for an export's block I/O: the driver's device, its failures carrying the ErrorId the export gave.</summary>
internal sealed class ExportDevice : IVolumeDevice
{
    private readonly IBlockDevice _device;
    private readonly string _what;
    private readonly string _errorId;

    public ExportDevice(IBlockDevice device, string what, string errorId)
    {
        _device = device;
        _what = what;
        _errorId = errorId;
    }

    public void Read(long offset, byte[] buffer, int count) => DriverFaults.Run(() => _device.Read(offset, buffer, 0, count), _errorId, "Reading", _what, readSide: true);

    public void Write(long offset, byte[] buffer, int count) => DriverFaults.Run(() => _device.Write(offset, buffer, 0, count), _errorId, "Writing", _what);

    public void Flush() => DriverFaults.Run(_device.Flush, _errorId, "Flushing", _what);

    public void Zero(long offset, long length, bool deallocate) => DriverFaults.Run(() => _device.Zero(offset, length, deallocate), _errorId, "Zeroing", _what);

    public IEnumerable<(long Offset, long Length)> AllocatedExtents(long offset, long length) =>
        DriverFaults.Run(() => _device.AllocatedExtents(offset, length).Select(extent => (extent.Offset, extent.Length)).ToList(), _errorId, "Reading", _what, readSide: true);

    public void Dispose() => _device.Dispose();
}
