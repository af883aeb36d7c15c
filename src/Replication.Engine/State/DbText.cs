using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Replication.Engine.State;

/// <summary>How values are written as text in either state store: sortable UTC times (to the tick) and plain JSON.</summary>
internal static class DbText
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static object TimeOrNull(DateTimeOffset? value) => value is { } v ? Time(v) : DBNull.Value;

    public static DateTimeOffset ParseTime(string text) =>
        new(DateTime.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);

    public static string Json(IReadOnlyDictionary<string, object?> values) => JsonConvert.SerializeObject(values);

    public static IReadOnlyDictionary<string, object?> ParseJsonObject(string json) => ToDictionary(JObject.Parse(json));

    public static string Json(IReadOnlyDictionary<string, string> values) => JsonConvert.SerializeObject(values);

    /// <summary>A JSON object of text values (a backend's settings), keys compared without case.</summary>
    public static IReadOnlyDictionary<string, string> ParseTextMap(string json) =>
        JObject.Parse(json).Properties().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.OrdinalIgnoreCase);

    private static Dictionary<string, object?> ToDictionary(JObject obj) =>
        obj.Properties().ToDictionary(p => p.Name, p => ToValue(p.Value), StringComparer.OrdinalIgnoreCase);

    private static object? ToValue(JToken token) => token switch
    {
        JObject o => ToDictionary(o),
        JArray a => a.Select(ToValue).ToList(),
        JValue v => v.Value,
        _ => token.ToString(),
    };
}
