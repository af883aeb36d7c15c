using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Replication.Engine.Model;
using static Replication.Engine.DrTests.DrTestReportText;

namespace Replication.Engine.DrTests;

/// <summary>
/// DR test results as one self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched), readable offline
/// and in a mail client: a pass/fail banner with the counts, a chart of data age per volume against its RPO target, and
/// a table with one row per test, grouped by volume (newest first) when a volume was tested more than once. Every value
/// from the data is HTML-encoded, and the same input renders the same page.
/// </summary>
public static class DrTestReport
{
    private const int BannerNameLimit = 12;

    public static string Render(IReadOnlyList<DrTestResult> results, DateTimeOffset generatedAt)
    {
        var groups = results
            .GroupBy(r => r.VolumeName, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select((g, i) => new VolumeGroup(g.Key, Invariant($"volume-{i + 1}"), g.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.TestId).ToList()))
            .ToList();

        var html = new StringBuilder(16384 + results.Count * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<meta name=\"generator\" content=\"Replication.PowerShell\">\n");
        html.Append("<title>").Append(Encode(Title(groups, generatedAt))).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n<main>\n");

        Header(html, results, groups, generatedAt);
        if (results.Count == 0)
        {
            html.Append("<p class=\"empty\">There are no DR test results to show: no volume was tested, or no recorded test matched the query.</p>\n");
        }
        else
        {
            Chart(html, groups);
            Table(html, results, groups, generatedAt);
        }

        Footer(html, results);
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The tests of one volume, newest first; its newest test stands for the volume in the banner and chart.</summary>
    private sealed record VolumeGroup(string VolumeName, string Anchor, IReadOnlyList<DrTestResult> Tests)
    {
        public DrTestResult Newest => Tests[0];

        /// <summary>The newest test that measured a data age, else the newest test.</summary>
        public DrTestResult Measured => Tests.FirstOrDefault(t => t.DataAgeSeconds is not null) ?? Tests[0];
    }

    private enum Verdict
    {
        Empty,
        Passed,
        Incomplete,
        Failed,
    }

    private static Verdict Judge(IReadOnlyList<VolumeGroup> groups) =>
        groups.Count == 0 ? Verdict.Empty
        : groups.Any(g => g.Newest.OutcomeValue == DrTestOutcome.Failed) ? Verdict.Failed
        : groups.All(g => g.Newest.OutcomeValue == DrTestOutcome.Passed) ? Verdict.Passed
        : Verdict.Incomplete;

    private static string Title(IReadOnlyList<VolumeGroup> groups, DateTimeOffset generatedAt)
    {
        var state = Judge(groups) switch
        {
            Verdict.Failed => "FAILED",
            Verdict.Passed => "passed",
            Verdict.Incomplete => "incomplete",
            _ => "no results",
        };
        return $"DR test report {FullTime(generatedAt)}: {state}";
    }

    private static void Header(StringBuilder html, IReadOnlyList<DrTestResult> results, IReadOnlyList<VolumeGroup> groups, DateTimeOffset generatedAt)
    {
        html.Append("<header>\n<h1>DR test report</h1>\n<p class=\"meta\">Generated <time datetime=\"").Append(IsoTime(generatedAt)).Append("\">")
            .Append(FullTime(generatedAt)).Append("</time>");
        if (results.Count > 0)
        {
            var first = results.Min(r => r.StartedAt);
            var last = results.Max(r => r.StartedAt + TimeSpan.FromSeconds(Math.Max(0, r.DurationSeconds ?? 0)));
            html.Append(" &middot; ").Append(Count(results.Count, "test", "tests")).Append(" of ").Append(Count(groups.Count, "volume", "volumes"));
            if (groups.Any(g => g.Tests.Count > 1))
            {
                // A history: its tests may span days, so give the span rather than a run time.
                html.Append(" &middot; tests from <time datetime=\"").Append(IsoTime(first)).Append("\">").Append(FullTime(first)).Append("</time> to <time datetime=\"")
                    .Append(IsoTime(last)).Append("\">").Append(FullTime(last)).Append("</time>");
            }
            else
            {
                html.Append(" &middot; started <time datetime=\"").Append(IsoTime(first)).Append("\">").Append(FullTime(first)).Append("</time>")
                    .Append(", took ").Append(Encode(Duration((last - first).TotalSeconds)));
            }
        }

        html.Append("</p>\n</header>\n");
        Banner(html, groups);
        if (results.Count > 0)
        {
            Tiles(html, results, groups);
        }
    }

    private static void Banner(StringBuilder html, IReadOnlyList<VolumeGroup> groups)
    {
        var verdict = Judge(groups);
        var failed = groups.Where(g => g.Newest.OutcomeValue == DrTestOutcome.Failed).ToList();
        var untested = groups.Where(g => g.Newest.OutcomeValue is not (DrTestOutcome.Passed or DrTestOutcome.Failed)).ToList();
        var (cssClass, icon, label, headline) = verdict switch
        {
            Verdict.Failed => ("fail", "\u2717", "FAILED", Invariant($"{failed.Count} of {Count(groups.Count, "volume", "volumes")} failed the DR test")),
            Verdict.Passed => ("pass", "\u2713", "PASSED", groups.Count == 1 ? "The volume passed its DR test" : Invariant($"All {groups.Count} volumes passed the DR test")),
            Verdict.Incomplete => ("warn", "!", "INCOMPLETE", Invariant($"No volume failed, but {Count(untested.Count, "volume was", "volumes were")} not tested")),
            _ => ("none", "\u2013", "NO RESULTS", "There are no DR test results"),
        };

        html.Append("<section class=\"banner ").Append(cssClass).Append("\" role=\"status\" aria-label=\"Overall result\">\n<span class=\"banner-icon\" aria-hidden=\"true\">")
            .Append(icon).Append("</span>\n<div>\n<p class=\"banner-label\">").Append(label).Append("</p>\n<p class=\"banner-headline\">").Append(Encode(headline)).Append("</p>\n");
        if (groups.Any(g => g.Tests.Count > 1))
        {
            html.Append("<p class=\"banner-note\">Each volume is judged by its newest test.</p>\n");
        }

        VolumeList(html, "Failed", failed);
        VolumeList(html, "Not testable", untested.Where(g => g.Newest.OutcomeValue == DrTestOutcome.NotTestable).ToList());
        VolumeList(html, "Interrupted", untested.Where(g => g.Newest.OutcomeValue == DrTestOutcome.Interrupted).ToList());
        VolumeList(html, "Still running", untested.Where(g => g.Newest.OutcomeValue == DrTestOutcome.Running).ToList());
        html.Append("</div>\n</section>\n");
    }

    private static void VolumeList(StringBuilder html, string label, IReadOnlyList<VolumeGroup> groups)
    {
        if (groups.Count == 0)
        {
            return;
        }

        html.Append("<p class=\"banner-list\"><strong>").Append(label).Append(":</strong> ");
        html.Append(string.Join(", ", groups.Take(BannerNameLimit).Select(g => $"<a href=\"#{g.Anchor}\">{Encode(g.VolumeName)}</a>")));
        if (groups.Count > BannerNameLimit)
        {
            html.Append(Invariant($" and {groups.Count - BannerNameLimit} more"));
        }

        html.Append("</p>\n");
    }

    private static void Tiles(StringBuilder html, IReadOnlyList<DrTestResult> results, IReadOnlyList<VolumeGroup> groups)
    {
        html.Append("<ul class=\"tiles\" aria-label=\"Counts\">\n");
        Tile(html, "pass", "Passed", results.Count(r => r.OutcomeValue == DrTestOutcome.Passed), always: true);
        Tile(html, "fail", "Failed", results.Count(r => r.OutcomeValue == DrTestOutcome.Failed), always: true);
        Tile(html, "warn", "Not testable", results.Count(r => r.OutcomeValue == DrTestOutcome.NotTestable), always: true);
        Tile(html, "warn", "Interrupted", results.Count(r => r.OutcomeValue == DrTestOutcome.Interrupted), always: false);
        Tile(html, "none", "Running", results.Count(r => r.OutcomeValue == DrTestOutcome.Running), always: false);
        var measured = groups.Select(g => g.Measured).Where(t => t.RpoMet is not null).ToList();
        if (measured.Count > 0)
        {
            html.Append("<li class=\"tile ").Append(measured.All(t => t.RpoMet == true) ? "pass" : "fail").Append("\"><span class=\"tile-count\">")
                .Append(Invariant($"{measured.Count(t => t.RpoMet == true)}/{measured.Count}")).Append("</span><span class=\"tile-label\">RPO met</span></li>\n");
        }

        var ready = results.Where(r => r.TimeToReadySeconds is not null).Select(r => r.TimeToReadySeconds!.Value).ToList();
        if (ready.Count > 0)
        {
            html.Append("<li class=\"tile none\"><span class=\"tile-count\">").Append(Encode(Duration(ready.Max()))).Append("</span><span class=\"tile-label\">Slowest RTO</span></li>\n");
        }

        html.Append("</ul>\n");
    }

    private static void Tile(StringBuilder html, string cssClass, string label, int count, bool always)
    {
        if (count == 0 && !always)
        {
            return;
        }

        html.Append("<li class=\"tile ").Append(count == 0 ? "zero" : cssClass).Append("\"><span class=\"tile-count\">").Append(Invariant($"{count}"))
            .Append("</span><span class=\"tile-label\">").Append(label).Append("</span></li>\n");
    }

    private static void Chart(StringBuilder html, IReadOnlyList<VolumeGroup> groups)
    {
        html.Append("<section class=\"card\" aria-labelledby=\"chart-heading\">\n<h2 id=\"chart-heading\">Data age per volume</h2>\n")
            .Append("<p class=\"hint\">How old each replica&#39;s data was when its test started, against the RPO target of its volume type (the black line). ")
            .Append("A bar past its line missed the target.</p>\n<div class=\"chart-wrap\">");
        DrTestReportChart.Render(html, groups.Select(g => new DrTestReportChart.Row(g.VolumeName, g.Measured)).ToList());
        html.Append("</div>\n</section>\n");
    }

    private static readonly string[] Columns =
    {
        "Volume", "Type", "Outcome", "Data age / RPO target", "RPO met", "RTO", "Blocks compared / mismatched", "Test volume", "Started (UTC)",
        "Duration",
    };

    private static void Table(StringBuilder html, IReadOnlyList<DrTestResult> results, IReadOnlyList<VolumeGroup> groups, DateTimeOffset generatedAt)
    {
        var history = groups.Any(g => g.Tests.Count > 1);
        html.Append("<section class=\"card\" aria-labelledby=\"table-heading\">\n<h2 id=\"table-heading\">").Append(history ? "Tests by volume" : "Results by volume").Append("</h2>\n");
        html.Append("<div class=\"table-wrap\">\n<table>\n<caption>")
            .Append(Encode(history
                ? $"{Count(results.Count, "DR test", "DR tests")} of {Count(groups.Count, "volume", "volumes")}, grouped by volume, newest test first. Data age is the achieved RPO; RTO is the time until the test volume was ready."
                : $"One DR test per volume ({Count(groups.Count, "volume", "volumes")}). Data age is the achieved RPO; RTO is the time until the test volume was ready."))
            .Append("</caption>\n<thead>\n<tr>");
        foreach (var column in Columns)
        {
            html.Append("<th scope=\"col\">").Append(Encode(column)).Append("</th>");
        }

        html.Append("</tr>\n</thead>\n");
        foreach (var group in groups)
        {
            html.Append("<tbody id=\"").Append(group.Anchor).Append("\"").Append(group.Tests.Count > 1 ? " class=\"group\"" : "").Append(">\n");
            for (var i = 0; i < group.Tests.Count; i++)
            {
                Row(html, group.Tests[i], repeat: i > 0, generatedAt);
            }

            html.Append("</tbody>\n");
        }

        html.Append("</table>\n</div>\n</section>\n");
    }

    private static void Row(StringBuilder html, DrTestResult test, bool repeat, DateTimeOffset generatedAt)
    {
        var outcome = Outcome(test.OutcomeValue);
        html.Append("<tr class=\"result ").Append(outcome.CssClass).Append(repeat ? " repeat" : "").Append("\">");
        html.Append("<th scope=\"row\" class=\"name\">").Append(Encode(test.VolumeName)).Append("</th>");
        html.Append("<td>").Append(Encode(test.VolumeType)).Append("</td>");
        html.Append("<td><span class=\"badge ").Append(outcome.CssClass).Append("\"><span aria-hidden=\"true\">").Append(outcome.Icon).Append("</span> ")
            .Append(outcome.Label).Append("</span></td>");

        html.Append("<td class=\"num\">").Append(test.DataAgeSeconds is null ? Dash : Encode(Duration(test.DataAgeSeconds)))
            .Append(" <span class=\"muted\">/ ").Append(test.RpoTargetSeconds is null ? "no target" : Encode(Duration(test.RpoTargetSeconds))).Append("</span></td>");
        html.Append("<td>").Append(test.RpoMet switch
        {
            true => "<span class=\"yes\">\u2713 Yes</span>",
            false => "<span class=\"no\">\u2717 No</span>",
            null => "<span class=\"muted\">" + Dash + "</span>",
        }).Append("</td>");

        html.Append("<td class=\"num\">").Append(Encode(Duration(test.TimeToReadySeconds))).Append("</td>");
        html.Append("<td class=\"num\"");
        if (!string.IsNullOrEmpty(test.Verified))
        {
            html.Append(" title=\"").Append(Encode(test.Verified)).Append("\"");
        }

        html.Append(">");
        if (test.SyncGeneration is null && test.BlocksCompared == 0)
        {
            html.Append(Dash);
        }
        else
        {
            html.Append(Number(test.BlocksCompared)).Append(" / ").Append(test.BlocksMismatched > 0
                ? "<span class=\"no\">" + Number(test.BlocksMismatched) + "</span>"
                : Number(test.BlocksMismatched));
        }

        html.Append("</td>");
        html.Append("<td class=\"testvol\">").Append(test.TestVolumeName is { } testVolume ? "<code>" + Encode(testVolume) + "</code>" : Dash)
            .Append(test.TestVolumeKept ? " <span class=\"kept\">kept</span>" : "").Append("</td>");
        html.Append("<td class=\"num\"><time datetime=\"").Append(IsoTime(test.StartedAt)).Append("\">").Append(ShortTime(test.StartedAt, generatedAt)).Append("</time></td>");
        html.Append("<td class=\"num\">").Append(Encode(Duration(test.DurationSeconds))).Append("</td>");
        html.Append("</tr>\n");

        if (!string.IsNullOrWhiteSpace(test.Reason))
        {
            html.Append("<tr class=\"reason ").Append(outcome.CssClass).Append("\"><td></td><td colspan=\"").Append(Invariant($"{Columns.Length - 1}")).Append("\">")
                .Append("<strong>").Append(test.OutcomeValue == DrTestOutcome.Failed ? "Why it failed" : "Why").Append(":</strong> ").Append(Encode(Sentence(test.Reason)))
                .Append("</td></tr>\n");
        }
    }

    /// <summary>A reason as a sentence: the engine's reasons may start in lower case ("replication is inactive; ...").</summary>
    private static string Sentence(string reason)
    {
        var text = reason.Trim();
        return text.Length > 0 && char.IsLower(text[0]) ? char.ToUpperInvariant(text[0]) + text.Substring(1) : text;
    }

    private static (string CssClass, string Icon, string Label) Outcome(DrTestOutcome outcome) => outcome switch
    {
        DrTestOutcome.Passed => ("pass", "\u2713", "Passed"),
        DrTestOutcome.Failed => ("fail", "\u2717", "Failed"),
        DrTestOutcome.NotTestable => ("warn", "\u2013", "Not testable"),
        DrTestOutcome.Interrupted => ("warn", "!", "Interrupted"),
        _ => ("none", "\u2026", "Running"),
    };

    private static void Footer(StringBuilder html, IReadOnlyList<DrTestResult> results)
    {
        html.Append("<footer>\n<p>A DR test clones the replica into a test volume without touching the primary, compares its blocks with the checksums recorded ")
            .Append("when the replica was synced, runs the custom validation if one was given, and removes the test volume unless it was kept. ")
            .Append("Data age is how old the replica&#39;s data was when the test started (the recovery point achieved); the RPO target comes from the ")
            .Append("volume type&#39;s <code>replication:rpo_minutes</code>.</p>\n");
        var actors = results.Select(r => r.Actor).Where(a => !string.IsNullOrWhiteSpace(a)).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToList();
        if (actors.Count > 0)
        {
            html.Append("<p>Run by ").Append(string.Join(", ", actors.Select(Encode))).Append(". Every test is also recorded in the state file (<code>Get-DRTestResult</code>).</p>\n");
        }

        html.Append("<p>Replication.PowerShell</p>\n</footer>\n");
    }

    /// <summary>Colours are GitHub Primer's, chosen for at least 4.5:1 contrast of text and 3:1 of graphics on white.</summary>
    private const string Style = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f6f8fa; color: #1f2328; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "DejaVu Sans", sans-serif; }
        main { max-width: 1240px; margin: 0 auto; padding: 24px 24px 32px; }
        h1 { font-size: 26px; margin: 0 0 2px; }
        h2 { font-size: 17px; margin: 0 0 4px; }
        .meta, .hint, .muted, footer { color: #59636e; }
        .meta { margin: 0 0 16px; }
        .hint { margin: 0 0 10px; }
        .banner { display: flex; gap: 16px; align-items: flex-start; border-radius: 8px; padding: 16px 20px; margin: 0 0 16px; color: #fff; }
        .banner p { margin: 0; }
        .banner.pass { background: #1a7f37; }
        .banner.fail { background: #cf222e; }
        .banner.warn { background: #9a6700; }
        .banner.none { background: #59636e; }
        .banner-icon { font-size: 34px; line-height: 1; font-weight: 700; width: 44px; height: 44px; border-radius: 50%; background: rgba(255,255,255,0.2); display: inline-flex; align-items: center; justify-content: center; flex: none; }
        .banner-label { font-size: 12px; font-weight: 700; letter-spacing: 0.08em; }
        .banner-headline { font-size: 22px; font-weight: 600; }
        .banner-note, .banner-list { margin-top: 4px !important; }
        .banner a { color: #fff; }
        .tiles { list-style: none; display: flex; flex-wrap: wrap; gap: 12px; padding: 0; margin: 0 0 16px; }
        .tile { background: #fff; border: 1px solid #d1d9e0; border-left: 6px solid #59636e; border-radius: 6px; padding: 8px 16px; min-width: 120px; }
        .tile.pass { border-left-color: #1a7f37; }
        .tile.fail { border-left-color: #cf222e; }
        .tile.warn { border-left-color: #9a6700; }
        .tile.zero { border-left-color: #d1d9e0; }
        .tile-count { display: block; font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
        .tile.fail .tile-count { color: #cf222e; }
        .tile.zero .tile-count { color: #59636e; }
        .tile-label { color: #59636e; font-size: 13px; }
        .card { background: #fff; border: 1px solid #d1d9e0; border-radius: 8px; padding: 16px 20px; margin: 0 0 16px; }
        .chart-wrap, .table-wrap { overflow-x: auto; }
        .chart { max-width: 100%; height: auto; display: block; }
        .chart text { fill: #1f2328; }
        .chart .tick, .chart .axis-title, .chart .no-data { fill: #59636e; }
        .chart .no-data { font-style: italic; }
        .chart .grid { stroke: #d1d9e0; stroke-width: 1; }
        .chart .baseline { stroke: #818b98; stroke-width: 1; }
        .chart .bar-ok { fill: #1a7f37; }
        .chart .bar-over { fill: #cf222e; }
        .chart .bar-none { fill: #59636e; }
        .chart .marker { stroke: #1f2328; stroke-width: 3; }
        .chart .value { font-variant-numeric: tabular-nums; }
        .chart .value.over { fill: #cf222e; font-weight: 700; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        caption { text-align: left; color: #59636e; padding: 0 0 8px; }
        th, td { padding: 7px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid #d1d9e0; }
        thead th { background: #f6f8fa; font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; color: #59636e; border-bottom: 2px solid #d1d9e0; }
        tbody th { font-weight: 600; }
        td.num { white-space: nowrap; }
        th.name { white-space: nowrap; }
        tr.result.fail th.name, tr.reason.fail td:first-child { box-shadow: inset 4px 0 0 #cf222e; }
        tr.result.warn th.name, tr.reason.warn td:first-child { box-shadow: inset 4px 0 0 #9a6700; }
        tr.repeat th.name { font-weight: 400; color: #59636e; }
        tbody.group { border-top: 2px solid #818b98; border-bottom: 2px solid #818b98; }
        tr.result:has(+ tr.reason) > * { border-bottom: none; }
        tr.reason td { padding-top: 0; }
        tr.reason.fail td { color: #a40e26; }
        tr.reason.warn td { color: #7d4e00; }
        .badge { display: inline-block; white-space: nowrap; border-radius: 12px; padding: 1px 10px; font-weight: 600; font-size: 13px; color: #fff; }
        .badge.pass { background: #1a7f37; }
        .badge.fail { background: #cf222e; }
        .badge.warn { background: #9a6700; }
        .badge.none { background: #59636e; }
        .yes { color: #1a7f37; font-weight: 600; white-space: nowrap; }
        .no { color: #cf222e; font-weight: 700; white-space: nowrap; }
        .kept { background: #fff8c5; color: #7d4e00; border-radius: 4px; padding: 0 4px; font-size: 12px; }
        code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; }
        td.testvol { white-space: nowrap; }
        .empty { background: #fff; border: 1px dashed #818b98; border-radius: 8px; padding: 24px; font-size: 16px; }
        footer { font-size: 12px; }
        footer p { margin: 4px 0; }

        """;
}
