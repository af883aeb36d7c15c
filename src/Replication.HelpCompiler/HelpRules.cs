namespace Replication.HelpCompiler;

/// <summary>
/// What a cmdlet's help must have before it ships: a synopsis, a description, a runnable example, and an entry for
/// every parameter its syntax shows. Without these checks, Get-Help would quietly print half a page.
/// </summary>
internal static class HelpRules
{
    public static IEnumerable<HelpProblem> Check(CommandHelp help)
    {
        return CheckSections(help).Concat(CheckExamples(help)).Concat(CheckParameters(help))
            .Select(message => new HelpProblem(help.SourceFile, message));
    }

    private static IEnumerable<string> CheckSections(CommandHelp help)
    {
        foreach (var required in new[] { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES" })
        {
            if (!help.Sections.Contains(required))
            {
                yield return $"{help.Name} has no '## {required}' section";
            }
        }

        if (help.Sections.Contains("SYNOPSIS") && ProseProblem(help.Synopsis) is { } synopsisProblem)
        {
            yield return $"{help.Name}'s synopsis {synopsisProblem}";
        }

        if (help.Sections.Contains("DESCRIPTION") && ProseProblem(help.Description) is { } descriptionProblem)
        {
            yield return $"{help.Name}'s description {descriptionProblem}";
        }
    }

    private static IEnumerable<string> CheckExamples(CommandHelp help)
    {
        if (help.Sections.Contains("EXAMPLES") && help.Examples.Count == 0)
        {
            yield return $"{help.Name} has no example: '## EXAMPLES' needs a '### Example 1: ...' heading with a code block";
        }

        foreach (var example in help.Examples)
        {
            if (example.Code.Count == 0 || example.Code.All(string.IsNullOrWhiteSpace))
            {
                yield return $"{help.Name}'s example '{example.Title}' has no code block";
            }
            else if (example.Code.Any(MarkdownText.IsPlaceholder))
            {
                yield return $"{help.Name}'s example '{example.Title}' still has the PlatyPS placeholder code";
            }
        }
    }

    private static IEnumerable<string> CheckParameters(CommandHelp help)
    {
        var missing = help.Syntax.SelectMany(set => set.ParameterNames)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(name => help.FindParameter(name) is null);
        foreach (var name in missing)
        {
            var sets = help.Syntax.Where(set => set.ParameterNames.Contains(name, StringComparer.OrdinalIgnoreCase)).Select(set => set.ParameterSetName);
            yield return $"{help.Name}'s syntax ({string.Join(", ", sets)}) shows -{name}, but '## PARAMETERS' has no '### -{name}' entry";
        }

        foreach (var parameter in help.Parameters)
        {
            if (ProseProblem(parameter.Description) is { } problem)
            {
                yield return $"{help.Name}'s parameter -{parameter.Name}: the description {problem}";
            }

            if (!parameter.HasYamlBlock)
            {
                yield return $"{help.Name}'s parameter -{parameter.Name} has no ```yaml block (Type, Parameter Sets, Required, Position, ...)";
            }
        }
    }

    /// <summary>Why a prose section would print nothing useful, or null when it is fine.</summary>
    private static string? ProseProblem(IReadOnlyList<string> paragraphs)
    {
        if (paragraphs.All(string.IsNullOrWhiteSpace))
        {
            return "is empty";
        }

        return paragraphs.FirstOrDefault(MarkdownText.IsPlaceholder) is { } placeholder
            ? $"is still the PlatyPS placeholder '{placeholder.Trim()}'"
            : null;
    }
}
