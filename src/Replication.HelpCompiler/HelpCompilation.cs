using System.Text;

namespace Replication.HelpCompiler;

/// <summary>
/// Compiles a docs/en-US folder: every Verb-Noun.md into one Module.dll-Help.xml, every about_*.md into
/// about_*.help.txt. All files are read and checked before anything is written, so a run either reports every
/// problem at once or writes complete help; it never leaves half of it behind.
/// </summary>
internal static class HelpCompilation
{
    public static CompileResult Run(string docsFolder, string outputFolder, string moduleName)
    {
        var problems = new List<HelpProblem>();
        if (!Directory.Exists(docsFolder))
        {
            return new CompileResult([new HelpProblem(docsFolder, "the docs folder does not exist")], []);
        }

        var markdownFiles = Directory.GetFiles(docsFolder, "*.md").Order(StringComparer.Ordinal).ToList();
        var aboutFiles = markdownFiles.Where(IsAboutTopic).ToList();
        var commandFiles = markdownFiles.Except(aboutFiles).ToList();
        if (commandFiles.Count == 0)
        {
            problems.Add(new HelpProblem(docsFolder, "no cmdlet help (Verb-Noun.md) to compile"));
        }

        var commands = new List<CommandHelp>();
        foreach (var file in commandFiles)
        {
            if (CommandDocReader.Read(file, File.ReadAllText(file), problems) is { } help)
            {
                problems.AddRange(HelpRules.Check(help));
                commands.Add(help);
            }
        }

        foreach (var duplicate in commands.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add(new HelpProblem(duplicate.Last().SourceFile, $"{duplicate.Key} is documented in more than one file: {string.Join(", ", duplicate.Select(c => c.SourceFile))}"));
        }

        var aboutTopics = aboutFiles.ToDictionary(
            file => Path.GetFileNameWithoutExtension(file) + ".help.txt",
            file => AboutTopicWriter.Render(file, File.ReadAllText(file), problems));

        if (problems.Count > 0)
        {
            return new CompileResult(problems, []);
        }

        var written = new List<string>();
        Directory.CreateDirectory(outputFolder);
        var mamlPath = Path.Combine(outputFolder, moduleName + ".dll-Help.xml");
        MamlWriter.Save(MamlWriter.ToMaml(commands), mamlPath);
        written.Add(mamlPath);
        foreach (var (name, text) in aboutTopics)
        {
            var path = Path.Combine(outputFolder, name);
            File.WriteAllText(path, text, new UTF8Encoding(false));
            written.Add(path);
        }

        return new CompileResult([], written);
    }

    private static bool IsAboutTopic(string file) =>
        Path.GetFileName(file).StartsWith("about_", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Either the problems found (and nothing written) or the files written.</summary>
internal sealed record CompileResult(IReadOnlyList<HelpProblem> Problems, IReadOnlyList<string> WrittenFiles);
