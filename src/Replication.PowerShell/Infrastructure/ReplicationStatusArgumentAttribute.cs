using System;
using System.Management.Automation;
using Replication.Engine.Model;

namespace Replication.PowerShell.Infrastructure;

/// <summary>Lets a ReplicationStatus parameter take Cinder's spelling ("active-stopped") as well as the enum name.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ReplicationStatusArgumentAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is string text)
        {
            try
            {
                return ReplicationStatusText.FromCinder(text.Trim().ToLowerInvariant());
            }
            catch (FormatException)
            {
                // Not Cinder's spelling: PowerShell's own conversion handles the enum names and reports anything else.
            }
        }

        return inputData;
    }
}
