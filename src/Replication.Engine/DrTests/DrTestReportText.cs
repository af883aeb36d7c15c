using System;
using System.Globalization;
using System.Text;

namespace Replication.Engine.DrTests;

/// <summary>
/// Text for the DR test report: HTML encoding of every value that comes from the data, durations in humane units
/// (12 s, 3 min 20 s, 2 h 5 min), numbers and times in the invariant culture, so the same input gives the same page.
/// </summary>
internal static class DrTestReportText
{
    /// <summary>Encodes text for an HTML element or a double-quoted attribute (also inside inline SVG).</summary>
    public static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var encoded = new StringBuilder(text!.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': encoded.Append("&amp;"); break;
                case '<': encoded.Append("&lt;"); break;
                case '>': encoded.Append("&gt;"); break;
                case '"': encoded.Append("&quot;"); break;
                case '\'': encoded.Append("&#39;"); break;
                case '\t' or '\n' or '\r': encoded.Append(' '); break;
                // Other control characters have no place in a page (and some are not even allowed in it).
                case < ' ' or '\u007f': encoded.Append('\uFFFD'); break;
                default: encoded.Append(c); break;
            }
        }

        return encoded.ToString();
    }

    /// <summary>A duration in humane units: 420 ms, 4.2 s, 12 s, 3 min 20 s, 2 h 5 min, 3 d 4 h.</summary>
    public static string Duration(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0)
        {
            seconds = 0;
        }

        if (seconds < 0.9995)
        {
            return Invariant($"{Math.Round(seconds * 1000):0} ms");
        }

        if (seconds < 9.95)
        {
            return Invariant($"{seconds:0.#} s");
        }

        if (seconds < 59.5)
        {
            return Invariant($"{Math.Round(seconds):0} s");
        }

        if (seconds < 3599.5)
        {
            var total = (long)Math.Round(seconds);
            return Pair(total / 60, "min", total % 60, "s");
        }

        if (seconds < 86370)
        {
            var minutes = (long)Math.Round(seconds / 60);
            return Pair(minutes / 60, "h", minutes % 60, "min");
        }

        var hours = (long)Math.Round(seconds / 3600);
        return Pair(hours / 24, "d", hours % 24, "h");
    }

    /// <summary>A duration, or an em dash when there is none.</summary>
    public static string Duration(double? seconds) => seconds is { } s ? Duration(s) : Dash;

    public const string Dash = "\u2014";

    public static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A coordinate in an SVG attribute: at most one decimal, invariant.</summary>
    public static string Coordinate(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>The full time, in UTC, for the header.</summary>
    public static string FullTime(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A start time in the table: just the time when it is on the report's own day (UTC), else date and time.</summary>
    public static string ShortTime(DateTimeOffset time, DateTimeOffset reportTime)
    {
        var utc = time.ToUniversalTime();
        return utc.Date == reportTime.ToUniversalTime().Date
            ? utc.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>The machine-readable time of a &lt;time&gt; element.</summary>
    public static string IsoTime(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>"1 volume", "3 volumes".</summary>
    public static string Count(int count, string singular, string plural) => Invariant($"{count} {(count == 1 ? singular : plural)}");

    /// <summary>Text cut to a length with an ellipsis (for chart labels; the full text goes into the SVG title).</summary>
    public static string Shorten(string text, int length) => text.Length <= length ? text : text.Substring(0, length - 1) + "\u2026";

    private static string Pair(long major, string majorUnit, long minor, string minorUnit) =>
        minor == 0 ? Invariant($"{major} {majorUnit}") : Invariant($"{major} {majorUnit} {minor} {minorUnit}");
}
