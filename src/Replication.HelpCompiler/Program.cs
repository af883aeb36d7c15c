namespace Replication.HelpCompiler;

/// <summary>
/// Usage: Replication.HelpCompiler &lt;docs/en-US folder&gt; &lt;output en-US folder&gt; &lt;module name&gt;.
/// Exit codes: 0 help written; 1 the markdown has problems, each printed as "file: error: message", and nothing
/// was written; 2 wrong arguments.
/// </summary>
internal static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>The whole command line behaviour, with its output streams passed in so tests can read them.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter errors)
    {
        if (args.Length != 3)
        {
            errors.WriteLine("usage: Replication.HelpCompiler <docs/en-US folder> <output en-US folder> <module name>");
            return 2;
        }

        var (docsFolder, outputFolder, moduleName) = (args[0], args[1], args[2]);
        var result = HelpCompilation.Run(docsFolder, outputFolder, moduleName);
        if (result.Problems.Count > 0)
        {
            foreach (var problem in result.Problems)
            {
                errors.WriteLine(problem);
            }

            errors.WriteLine($"Help not compiled: {result.Problems.Count} problem(s) in {docsFolder}.");
            return 1;
        }

        foreach (var path in result.WrittenFiles)
        {
            output.WriteLine($"Help: {path}");
        }

        return 0;
    }
}
