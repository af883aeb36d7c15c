using System.Collections.Generic;
using Replication.Engine.Model;

namespace Replication.Engine.Catalog;

/// <summary>A changed volume type, and the volumes (with why) whose backends do not meet its specs when -Force made the change.</summary>
public sealed record VolumeTypeChange(VolumeType VolumeType, IReadOnlyList<string> VolumesNotMeetingSpecs);
