namespace Replication.HelpCompiler.Tests;

/// <summary>A temporary docs/en-US folder and output folder for one test, removed afterwards.</summary>
internal sealed class DocsFolder : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "helpcompiler-" + Guid.NewGuid().ToString("N"));

    public DocsFolder()
    {
        Directory.CreateDirectory(Docs);
    }

    public string Docs => Path.Combine(_root, "docs", "en-US");

    public string Output => Path.Combine(_root, "out", "en-US");

    public string MamlPath => Path.Combine(Output, "Replication.PowerShell.dll-Help.xml");

    public DocsFolder With(string fileName, string markdown)
    {
        File.WriteAllText(Path.Combine(Docs, fileName), markdown);
        return this;
    }

    public CompileResult Compile() => HelpCompilation.Run(Docs, Output, "Replication.PowerShell");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
