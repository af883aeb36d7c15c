using System;
using System.Globalization;

namespace Replication.Engine;

/// <summary>Sizes and durations as admins read them (1.5 GiB, 3m 12s), in messages and in the format views.</summary>
public static class Humane
{
    private static readonly string[] Units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };

    public static string Bytes(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString(value >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    public static string Duration(TimeSpan? duration)
    {
        if (duration is not { } d)
        {
            return "";
        }

        return d.TotalSeconds < 1 ? FormattableString.Invariant($"{d.TotalMilliseconds:0} ms")
            : d.TotalMinutes < 1 ? FormattableString.Invariant($"{d.TotalSeconds:0.#} s")
            : d.TotalHours < 1 ? FormattableString.Invariant($"{d.Minutes}m {d.Seconds:00}s")
            : d.TotalDays < 1 ? FormattableString.Invariant($"{d.Hours}h {d.Minutes:00}m")
            : FormattableString.Invariant($"{(int)d.TotalDays}d {d.Hours:00}h");
    }
}
