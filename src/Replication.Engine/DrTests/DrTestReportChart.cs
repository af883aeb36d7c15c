using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Replication.Engine.Model;
using static Replication.Engine.DrTests.DrTestReportText;

namespace Replication.Engine.DrTests;

/// <summary>
/// The report's chart as inline SVG: one horizontal bar per volume for the data age its DR test found (the achieved
/// RPO), with the volume type's RPO target drawn as a marker line across the bar. A bar past its marker is drawn in the
/// failure colour and says so in words. Data ages span seconds to days, so the axis is logarithmic with humane ticks.
/// </summary>
internal static class DrTestReportChart
{
    private const double Width = 1100;
    private const double LabelWidth = 180;
    private const double PlotLeft = LabelWidth + 10;
    private const double PlotWidth = 700;
    private const double PlotRight = PlotLeft + PlotWidth;
    private const double ValueLeft = PlotRight + 14;
    private const double LegendHeight = 34;
    private const double RowHeight = 26;
    private const double BarHeight = 14;
    private const double AxisHeight = 46;
    private const int LabelLength = 26;
    private const double MinimumTickGap = 46;

    /// <summary>Axis ticks in seconds; the major ones can also end the axis.</summary>
    private static readonly (double Seconds, bool Major)[] Ticks =
    {
        (1, true), (5, false), (10, true), (30, false), (60, true), (300, false), (600, true), (1800, false),
        (3600, true), (6 * 3600, true), (86400, true), (7 * 86400, true), (30 * 86400, true), (365 * 86400, true),
    };

    private const double AxisMinimum = 1;

    /// <summary>One row of the chart: a volume and the (newest) test that measured its data age, if any did.</summary>
    internal sealed record Row(string VolumeName, DrTestResult Test);

    public static void Render(StringBuilder html, IReadOnlyList<Row> rows)
    {
        var measured = rows.Where(r => r.Test.DataAgeSeconds is not null).ToList();
        var axisMaximum = AxisMaximum(rows);
        var height = LegendHeight + rows.Count * RowHeight + AxisHeight;
        var overCount = measured.Count(r => r.Test.RpoMet == false);

        html.Append("<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
            .Append(Coordinate(Width)).Append(' ').Append(Coordinate(height)).Append("\" width=\"").Append(Coordinate(Width)).Append("\" height=\"").Append(Coordinate(height))
            .Append("\" font-family=\"-apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'DejaVu Sans', sans-serif\" font-size=\"13\">");
        html.Append("<title id=\"chart-title\">Data age per volume against its RPO target</title>");
        html.Append("<desc id=\"chart-desc\">").Append(Encode(Invariant(
            $"{Count(measured.Count, "volume has", "volumes have")} a measured data age; {overCount} over the RPO target. Logarithmic axis from {Duration(AxisMinimum)} to {Duration(axisMaximum)}."))).Append("</desc>");

        Legend(html);
        var plotTop = LegendHeight;
        var plotBottom = LegendHeight + rows.Count * RowHeight;
        Axis(html, axisMaximum, plotTop, plotBottom);

        for (var i = 0; i < rows.Count; i++)
        {
            Bar(html, rows[i], axisMaximum, plotTop + i * RowHeight);
        }

        html.Append("</svg>");
    }

    private static void Legend(StringBuilder html)
    {
        html.Append("<g class=\"legend\" aria-hidden=\"true\">");
        var x = PlotLeft;
        foreach (var (cssClass, label) in new[] { ("bar-ok", "Within RPO target"), ("bar-over", "Over RPO target"), ("bar-none", "No RPO target") })
        {
            html.Append("<rect class=\"").Append(cssClass).Append("\" x=\"").Append(Coordinate(x)).Append("\" y=\"9\" width=\"14\" height=\"14\" rx=\"2\"/>");
            html.Append("<text x=\"").Append(Coordinate(x + 20)).Append("\" y=\"20\">").Append(label).Append("</text>");
            x += 20 + label.Length * 7.2 + 22;
        }

        html.Append("<line class=\"marker\" x1=\"").Append(Coordinate(x + 7)).Append("\" x2=\"").Append(Coordinate(x + 7)).Append("\" y1=\"6\" y2=\"26\"/>");
        html.Append("<text x=\"").Append(Coordinate(x + 18)).Append("\" y=\"20\">RPO target</text>");
        html.Append("</g>");
    }

    private static void Axis(StringBuilder html, double axisMaximum, double top, double bottom)
    {
        html.Append("<g class=\"axis\">");
        // The major ticks and the axis's end first, then the minor ticks that leave room for their labels.
        var shown = Ticks.Where(t => t.Major && t.Seconds <= axisMaximum).Select(t => (t.Seconds, X: X(t.Seconds, axisMaximum))).ToList();
        if (shown.All(s => s.Seconds != axisMaximum))
        {
            shown.Add((axisMaximum, PlotRight));
        }

        foreach (var tick in Ticks.Where(t => !t.Major && t.Seconds < axisMaximum))
        {
            var x = X(tick.Seconds, axisMaximum);
            if (shown.All(s => Math.Abs(s.X - x) >= MinimumTickGap))
            {
                shown.Add((tick.Seconds, x));
            }
        }

        foreach (var (seconds, x) in shown.OrderBy(s => s.X))
        {
            html.Append("<line class=\"grid\" x1=\"").Append(Coordinate(x)).Append("\" x2=\"").Append(Coordinate(x)).Append("\" y1=\"").Append(Coordinate(top))
                .Append("\" y2=\"").Append(Coordinate(bottom + 5)).Append("\"/>");
            html.Append("<text class=\"tick\" x=\"").Append(Coordinate(x)).Append("\" y=\"").Append(Coordinate(bottom + 19)).Append("\" text-anchor=\"middle\">")
                .Append(Encode(Duration(seconds))).Append("</text>");
        }

        html.Append("<line class=\"baseline\" x1=\"").Append(Coordinate(PlotLeft)).Append("\" x2=\"").Append(Coordinate(PlotRight)).Append("\" y1=\"").Append(Coordinate(bottom))
            .Append("\" y2=\"").Append(Coordinate(bottom)).Append("\"/>");
        html.Append("<text class=\"axis-title\" x=\"").Append(Coordinate(PlotLeft + PlotWidth / 2)).Append("\" y=\"").Append(Coordinate(bottom + 39))
            .Append("\" text-anchor=\"middle\">Data age when the test started (achieved RPO), logarithmic scale</text>");
        html.Append("</g>");
    }

    private static void Bar(StringBuilder html, Row row, double axisMaximum, double top)
    {
        var test = row.Test;
        var barTop = top + (RowHeight - BarHeight) / 2;
        var middle = top + RowHeight / 2 + 4.5;
        var label = Shorten(row.VolumeName, LabelLength);
        html.Append("<g class=\"row\">");
        html.Append("<text class=\"label\" x=\"").Append(Coordinate(LabelWidth)).Append("\" y=\"").Append(Coordinate(middle)).Append("\" text-anchor=\"end\">")
            .Append(Encode(label)).Append("</text>");

        if (test.DataAgeSeconds is not { } age)
        {
            html.Append("<text class=\"no-data\" x=\"").Append(Coordinate(PlotLeft + 6)).Append("\" y=\"").Append(Coordinate(middle)).Append("\">")
                .Append(Encode(NoDataText(test))).Append("</text></g>");
            return;
        }

        var width = Math.Max(3, X(age, axisMaximum) - PlotLeft);
        var (cssClass, verdict) = test.RpoMet switch
        {
            true => ("bar-ok", "within"),
            false => ("bar-over", "over"),
            null => ("bar-none", "no target"),
        };
        var title = test.RpoTargetSeconds is { } target
            ? $"{row.VolumeName}: data age {Duration(age)}, RPO target {Duration(target)}: {(test.RpoMet == true ? "met" : "missed")}"
            : $"{row.VolumeName}: data age {Duration(age)}, no RPO target";
        html.Append("<rect class=\"bar ").Append(cssClass).Append("\" x=\"").Append(Coordinate(PlotLeft)).Append("\" y=\"").Append(Coordinate(barTop))
            .Append("\" width=\"").Append(Coordinate(width)).Append("\" height=\"").Append(Coordinate(BarHeight)).Append("\" rx=\"2\"><title>")
            .Append(Encode(title)).Append("</title></rect>");

        if (test.RpoTargetSeconds is { } rpo)
        {
            var x = X(rpo, axisMaximum);
            html.Append("<line class=\"marker rpo\" x1=\"").Append(Coordinate(x)).Append("\" x2=\"").Append(Coordinate(x)).Append("\" y1=\"").Append(Coordinate(barTop - 4))
                .Append("\" y2=\"").Append(Coordinate(barTop + BarHeight + 4)).Append("\"><title>").Append(Encode($"RPO target of {row.VolumeName}: {Duration(rpo)}"))
                .Append("</title></line>");
        }

        html.Append("<text class=\"value").Append(test.RpoMet == false ? " over" : "").Append("\" x=\"").Append(Coordinate(ValueLeft)).Append("\" y=\"")
            .Append(Coordinate(middle)).Append("\">").Append(Encode(Duration(age)));
        if (test.RpoMet == false)
        {
            html.Append(" \u2717 over ").Append(Encode(Duration(test.RpoTargetSeconds)));
        }
        else if (verdict == "no target")
        {
            html.Append(" (no target)");
        }

        html.Append("</text></g>");
    }

    private static string NoDataText(DrTestResult test) => test.OutcomeValue switch
    {
        DrTestOutcome.NotTestable => "no data age: not testable",
        DrTestOutcome.Running => "no data age: still running",
        DrTestOutcome.Interrupted => "no data age: interrupted",
        _ => "no data age: the replica was not cloned",
    };

    /// <summary>The axis ends at the first tick at or past every data age and RPO target (at least 10 s).</summary>
    private static double AxisMaximum(IReadOnlyList<Row> rows)
    {
        var largest = rows.SelectMany(r => new[] { r.Test.DataAgeSeconds, r.Test.RpoTargetSeconds }).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max();
        foreach (var (seconds, _) in Ticks)
        {
            if (seconds >= 10 && seconds >= largest)
            {
                return seconds;
            }
        }

        return largest;
    }

    /// <summary>The x of a duration on the logarithmic axis; anything under a second sits at the axis's start.</summary>
    private static double X(double seconds, double axisMaximum)
    {
        var clamped = Math.Min(Math.Max(seconds, AxisMinimum), axisMaximum);
        return PlotLeft + PlotWidth * Math.Log(clamped / AxisMinimum) / Math.Log(axisMaximum / AxisMinimum);
    }
}
