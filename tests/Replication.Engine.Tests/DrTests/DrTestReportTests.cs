using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Replication.Engine.DrTests;
using Replication.Engine.Model;

namespace Replication.Engine.Tests.DrTests;

/// <summary>
/// The HTML report of DR test results: its structure (one row per test, the counts, one chart bar per measured volume
/// with its RPO marker), encoding of hostile names and reasons, humane units, and the pages for odd inputs.
/// </summary>
public sealed class DrTestReportTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 14, 9, 30, 0, TimeSpan.Zero);

    private static DrTestResult Passed(string name, double age = 42, double? rpo = 900, long id = 1) => new()
    {
        TestId = id,
        VolumeName = name,
        VolumeType = "replicated",
        ReplicaBackend = "dc2",
        OutcomeValue = DrTestOutcome.Passed,
        Verified = "1024 blocks compared with the hashes recorded at round 3.",
        BlocksCompared = 1024,
        SyncGeneration = 3,
        DataTimestamp = Now.AddMinutes(-5).AddSeconds(-age),
        DataAgeSeconds = age,
        RpoTargetSeconds = rpo,
        TimeToReadySeconds = 0.42,
        TestVolumeName = name + "-drtest-0a1b2c3d",
        StartedAt = Now.AddMinutes(-5),
        DurationSeconds = 1.7,
        Actor = "ops@host (4242)",
    };

    private static DrTestResult Failed(string name, string reason = "3 of 1024 blocks of the replica differ from what round 3 wrote.") =>
        Passed(name) with { OutcomeValue = DrTestOutcome.Failed, BlocksMismatched = 3, Reason = reason };

    private static DrTestResult NotTestable(string name) => new()
    {
        TestId = 9,
        VolumeName = name,
        VolumeType = "replicated",
        OutcomeValue = DrTestOutcome.NotTestable,
        Reason = "replication is copying; only an active or active-stopped replica holds a consistent round to test.",
        RpoTargetSeconds = 900,
        StartedAt = Now.AddMinutes(-4),
        DurationSeconds = 0,
    };

    private static int Occurrences(string html, string pattern) => Regex.Matches(html, pattern).Count;

    private static string Tile(string html, string label) =>
        Regex.Match(html, "<span class=\"tile-count\">([^<]*)</span><span class=\"tile-label\">" + Regex.Escape(label) + "</span>").Groups[1].Value;

    private static string Chart(string html) => Regex.Match(html, "<svg class=\"chart\".*?</svg>", RegexOptions.Singleline).Value;

    [Fact]
    public void OneRowPerResultAndTheCountsInTheHeader()
    {
        var results = new List<DrTestResult>
        {
            Passed("vol01"), Passed("vol02", age: 12), Failed("vol03"), NotTestable("vol04"), Passed("vol05", age: 1200, rpo: 900) with { OutcomeValue = DrTestOutcome.Failed, Reason = "too old" },
        };

        var html = DrTestReport.Render(results, Now);

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Equal(5, Occurrences(html, "<tr class=\"result "));
        Assert.Equal(3, Occurrences(html, "<tr class=\"reason ")); // only where there is a reason
        Assert.Equal("2", Tile(html, "Passed"));
        Assert.Equal("2", Tile(html, "Failed"));
        Assert.Equal("1", Tile(html, "Not testable"));
        Assert.Contains("<section class=\"banner fail\"", html);
        Assert.Contains("2 of 5 volumes failed the DR test", html);
        Assert.Contains("Generated <time datetime=\"2025-03-14T09:30:00Z\">2025-03-14 09:30:00 UTC</time> &middot; 5 tests of 5 volumes", html);
        Assert.Contains("started <time datetime=\"2025-03-14T09:25:00Z\">2025-03-14 09:25:00 UTC</time>, took 1 min", html); // the first start to the last end (09:26:00)
        Assert.Contains("<caption>", html);
        Assert.Equal(10, Occurrences(html, "<th scope=\"col\">"));
        Assert.Equal(5, Occurrences(html, "<th scope=\"row\""));
        // The outcome is a word, not only a colour.
        Assert.Contains("</span> Passed</span>", html);
        Assert.Contains("</span> Failed</span>", html);
        Assert.Contains("</span> Not testable</span>", html);
        Assert.Contains("Why it failed:</strong> 3 of 1024 blocks", html);
    }

    [Fact]
    public void AllPassedShowsAPassingBanner()
    {
        var html = DrTestReport.Render(new[] { Passed("a"), Passed("b") }, Now);

        Assert.Contains("<section class=\"banner pass\"", html);
        Assert.Contains("All 2 volumes passed the DR test", html);
        Assert.Contains("<title>DR test report 2025-03-14 09:30:00 UTC: passed</title>", html);
        Assert.DoesNotContain("banner fail", html);
    }

    [Fact]
    public void ANotTestableVolumeMakesTheRunIncompleteNotPassed()
    {
        var html = DrTestReport.Render(new[] { Passed("a"), NotTestable("b") }, Now);

        Assert.Contains("<section class=\"banner warn\"", html);
        Assert.Contains("No volume failed, but 1 volume was not tested", html);
        Assert.Contains("<a href=\"#volume-2\">b</a>", html);
        Assert.Contains("<tbody id=\"volume-2\">", html);
    }

    [Fact]
    public void TheChartHasOneBarPerVolumeWithADataAgeAndItsRpoMarker()
    {
        var results = new List<DrTestResult> { Passed("vol01", age: 30), Passed("vol02", age: 45, rpo: null), Failed("vol03") with { DataAgeSeconds = 1800 }, NotTestable("vol04") };

        var chart = Chart(DrTestReport.Render(results, Now));

        Assert.Equal(3, Occurrences(chart, "<rect class=\"bar "));
        Assert.Equal(2, Occurrences(chart, "<line class=\"marker rpo\""));
        Assert.Equal(1, Occurrences(chart, "<rect class=\"bar bar-over\""));
        Assert.Equal(1, Occurrences(chart, "<rect class=\"bar bar-ok\""));
        Assert.Equal(1, Occurrences(chart, "<rect class=\"bar bar-none\""));
        // Every bar says what it shows, for a screen reader and on hover.
        Assert.Contains("<title>vol01: data age 30 s, RPO target 15 min: met</title>", chart);
        Assert.Contains("<title>vol03: data age 30 min, RPO target 15 min: missed</title>", chart);
        Assert.Contains("<title>vol02: data age 45 s, no RPO target</title>", chart);
        Assert.Contains("30 min \u2717 over 15 min", chart);
        Assert.Contains("<title id=\"chart-title\">", chart);
    }

    [Fact]
    public void TheMarkerSitsWhereTheTargetIsAndAnOverTargetBarReachesPastIt()
    {
        var chart = Chart(DrTestReport.Render(new[] { Failed("late") with { DataAgeSeconds = 3000, RpoTargetSeconds = 600 } }, Now));

        var bar = Regex.Match(chart, "<rect class=\"bar bar-over\" x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\"");
        var marker = Regex.Match(chart, "<line class=\"marker rpo\" x1=\"([0-9.]+)\"");
        var barEnd = double.Parse(bar.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + double.Parse(bar.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        var markerX = double.Parse(marker.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(barEnd > markerX, $"bar ends at {barEnd}, marker at {markerX}");
    }

    [Fact]
    public void TheAxisIsLabelledInHumaneUnits()
    {
        var chart = Chart(DrTestReport.Render(new[] { Passed("a", age: 20, rpo: 900), Passed("b", age: 7200, rpo: 3 * 3600) }, Now));

        var ticks = Regex.Matches(chart, "<text class=\"tick\"[^>]*>([^<]*)</text>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal("1 s", ticks.First());
        Assert.Contains("1 min", ticks);
        Assert.Contains("1 h", ticks);
        Assert.Equal("6 h", ticks.Last()); // the first major tick past the largest value (3 h)
        Assert.All(ticks, t => Assert.Matches("^[0-9]+ (s|min|h|d)$", t));
    }

    [Theory]
    [InlineData(0.42, "420 ms")]
    [InlineData(4.24, "4.2 s")]
    [InlineData(12, "12 s")]
    [InlineData(59.6, "1 min")]
    [InlineData(200, "3 min 20 s")]
    [InlineData(900, "15 min")]
    [InlineData(7500, "2 h 5 min")]
    [InlineData(3599.9, "1 h")]
    [InlineData(86400 + 3 * 3600, "1 d 3 h")]
    [InlineData(-1, "0 ms")]
    public void DurationsAreHumane(double seconds, string expected) => Assert.Equal(expected, DrTestReportText.Duration(seconds));

    [Fact]
    public void TheTableShowsHumaneDurations()
    {
        var html = DrTestReport.Render(new[] { Passed("vol01", age: 200, rpo: 900) with { DurationSeconds = 7500, TimeToReadySeconds = 12 } }, Now);

        Assert.Contains("<td class=\"num\">3 min 20 s <span class=\"muted\">/ 15 min</span></td>", html);
        Assert.Contains("<td class=\"num\">12 s</td>", html);
        Assert.Contains("<td class=\"num\">2 h 5 min</td>", html);
        Assert.Contains("1,024 / 0", html);
    }

    [Fact]
    public void HostileNamesAndReasonsAreEncoded()
    {
        const string script = "<script>alert(1)</script>";
        const string attribute = "\"onload=alert(1) x=\"";
        var results = new[]
        {
            Failed(script, reason: "the check said <img src=x onerror=alert(1)> & 'quit'") with { VolumeType = "<b>type</b>", TestVolumeName = attribute, Verified = "\"><script>x</script>" },
            Passed(attribute) with { Actor = "<i>me</i>" },
        };

        var html = DrTestReport.Render(results, Now);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>type", html);
        Assert.DoesNotContain("<i>me", html);
        Assert.DoesNotContain("\"onload=", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&quot;onload=alert(1) x=&quot;", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quit&#39;", html);
        Assert.Contains("title=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\"", html);
        // Inside the SVG too: the bar titles and labels.
        var chart = Chart(html);
        Assert.Contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;: data age", chart);
        Assert.Contains("&quot;onload=alert(1) x=&quot;", chart);
    }

    [Fact]
    public void TheReportIsSelfContained()
    {
        var html = DrTestReport.Render(new[] { Passed("vol01"), Failed("vol02") }, Now);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.Contains("<style>", html);
        Assert.Contains("<svg class=\"chart\"", html);
    }

    [Fact]
    public void NotTestableRowsWithoutADataAgeDoNotBreakTheChart()
    {
        var html = DrTestReport.Render(new[] { NotTestable("copying-1"), NotTestable("copying-2") with { RpoTargetSeconds = null } }, Now);

        var chart = Chart(html);
        Assert.NotEmpty(chart);
        Assert.Equal(0, Occurrences(chart, "<rect class=\"bar "));
        Assert.Equal(2, Occurrences(chart, "no data age: not testable"));
        Assert.DoesNotContain("NaN", html);
        Assert.DoesNotContain("Infinity", html);
        Assert.Equal(2, Occurrences(html, "<tr class=\"result "));
        Assert.Equal("2", Tile(html, "Not testable"));
    }

    [Fact]
    public void EmptyInputSaysThereAreNoResults()
    {
        var html = DrTestReport.Render(Array.Empty<DrTestResult>(), Now);

        Assert.Contains("There are no DR test results", html);
        Assert.Contains("<section class=\"banner none\"", html);
        Assert.DoesNotContain("<table", html);
        Assert.DoesNotContain("<svg", html);
        Assert.EndsWith("</html>\n", html);
    }

    [Fact]
    public void AHistoryIsGroupedByVolumeNewestFirstAndJudgedByTheNewestTest()
    {
        var old = Failed("vol01") with { TestId = 1, StartedAt = Now.AddDays(-2) };
        var newer = Passed("vol01", id: 5) with { StartedAt = Now.AddDays(-1) };
        var other = Passed("vol00", id: 3) with { StartedAt = Now.AddDays(-1) };

        var html = DrTestReport.Render(new[] { old, other, newer }, Now);

        Assert.Equal(3, Occurrences(html, "<tr class=\"result "));
        Assert.Contains("<section class=\"banner pass\"", html);
        Assert.Contains("Each volume is judged by its newest test.", html);
        Assert.Contains("3 tests of 2 volumes &middot; tests from <time datetime=\"2025-03-12T09:30:00Z\">", html); // a span, not a run time
        Assert.Contains("<tbody id=\"volume-2\" class=\"group\">", html);
        var rows = Regex.Matches(html, "<tr class=\"result ([a-z]+)( repeat)?\"><th scope=\"row\" class=\"name\">([^<]*)</th>.*?<time datetime=\"([^\"]+)\">")
            .Select(m => (m.Groups[3].Value, m.Groups[1].Value, m.Groups[2].Success, m.Groups[4].Value)).ToList();
        Assert.Equal(
            new[] { ("vol00", "pass", false, "2025-03-13T09:30:00Z"), ("vol01", "pass", false, "2025-03-13T09:30:00Z"), ("vol01", "fail", true, "2025-03-12T09:30:00Z") },
            rows);
        // Older tests show their date, not just the time.
        Assert.Contains(">2025-03-12 09:30</time>", html);
        // The chart has one bar per volume, from its newest measured test.
        Assert.Equal(2, Occurrences(Chart(html), "<rect class=\"bar "));
    }

    [Fact]
    public void TheSameInputRendersTheSamePage()
    {
        var results = new[] { Passed("b"), Failed("a"), NotTestable("c") };

        Assert.Equal(DrTestReport.Render(results, Now), DrTestReport.Render(results.Reverse().ToArray(), Now));
    }

    [Fact]
    public void IsUnaffectedByTheCurrentCulture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        var results = new[] { Passed("a", age: 4.25) with { BlocksCompared = 123456 } };
        var invariant = DrTestReport.Render(results, Now);
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal(invariant, DrTestReport.Render(results, Now));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }
}
