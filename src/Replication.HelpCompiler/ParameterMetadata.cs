using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Replication.HelpCompiler;

/// <summary>The attributes of a parameter as the ```yaml block under its "### -Name" heading states them.</summary>
internal sealed record ParameterMetadata(
    string Type,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AcceptedValues,
    bool Required,
    string Position,
    string DefaultValue,
    string PipelineInput,
    bool Globbing)
{
    /// <summary>The moniker PlatyPS writes for a parameter that is in every parameter set.</summary>
    public const string AllParameterSets = "(All)";

    private static readonly string[] KnownKeys =
    [
        "Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value",
        "Accept pipeline input", "Accept wildcard characters",
    ];

    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    public bool IsSwitch => Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter" or "switch";

    public bool AppliesTo(string parameterSetName) =>
        ParameterSets.Any(set => set == AllParameterSets || string.Equals(set, parameterSetName, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads one yaml block; a typo in a key is an error rather than an attribute silently lost.</summary>
    public static ParameterMetadata Parse(string yaml)
    {
        Dictionary<string, string?> pairs;
        try
        {
            pairs = Yaml.Deserialize<Dictionary<string, string?>>(yaml) ?? [];
        }
        catch (YamlException e)
        {
            throw new FormatException($"invalid yaml ({e.Message})", e);
        }

        var unknown = pairs.Keys.Where(key => !KnownKeys.Contains(key, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            throw new FormatException($"unknown key(s) {string.Join(", ", unknown.Select(k => $"'{k}'"))}; expected {string.Join(", ", KnownKeys)}");
        }

        var values = new Dictionary<string, string?>(pairs, StringComparer.OrdinalIgnoreCase);
        string Value(string key, string fallback) =>
            values.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : fallback;
        IReadOnlyList<string> List(string key) =>
            Value(key, "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        var parameterSets = List("Parameter Sets");
        return new ParameterMetadata(
            Type: Value("Type", "Object"),
            ParameterSets: parameterSets.Count > 0 ? parameterSets : [AllParameterSets],
            Aliases: List("Aliases"),
            AcceptedValues: List("Accepted values"),
            Required: IsTrue(Value("Required", "False")),
            // MAML and Get-Help spell the non-positional case in lower case.
            Position: Value("Position", "named").ToLowerInvariant(),
            DefaultValue: Value("Default value", "None"),
            PipelineInput: Value("Accept pipeline input", "False"),
            Globbing: IsTrue(Value("Accept wildcard characters", "False")));
    }

    private static bool IsTrue(string value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
