using System;
using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace Replication.PowerShell.Infrastructure;

/// <summary>
/// A size in bytes as admins type it: a number (PowerShell's 10GB is one already), or text with a unit, 10G, 10GB,
/// 10GiB or 512 M, in powers of 1024 as PowerShell's own KB, MB, GB and TB. Anything else is refused with a message
/// that says what a size looks like, instead of PowerShell's generic conversion error. Whether a size is allowed (a
/// negative one, say) is the engine's to say.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SizeTransformationAttribute : ArgumentTransformationAttribute
{
    private static readonly Regex Text = new(@"^\s*(?<number>-?\d+(\.\d+)?)\s*(?<unit>[KMGTP]?)(i?B)?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is not string text)
        {
            return value;
        }

        var match = Text.Match(text);
        if (!match.Success)
        {
            throw new ArgumentTransformationMetadataException(
                $"'{text}' is not a size. Give bytes (10737418240), PowerShell's 10GB, or a number with K, M, G, T or P (10G, 512MiB).");
        }

        var unit = match.Groups["unit"].Value;
        var exponent = unit.Length == 0 ? 0 : "KMGTP".IndexOf(char.ToUpperInvariant(unit[0])) + 1;
        var bytes = decimal.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture) * (decimal)Math.Pow(1024, exponent);
        return bytes > long.MaxValue
            ? throw new ArgumentTransformationMetadataException($"'{text}' is more bytes than a volume can hold.")
            : (object)(long)decimal.Round(bytes);
    }
}
