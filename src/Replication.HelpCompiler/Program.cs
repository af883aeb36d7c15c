using Replication.HelpCompiler;

// Usage: Replication.HelpCompiler <docs/en-US folder> <output en-US folder> <module name>
// Exit codes: 0 help written, 1 the markdown has problems (each printed as "file: error: message"), 2 bad usage.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Replication.HelpCompiler <docs/en-US folder> <output en-US folder> <module name>");
    return 2;
}

var written = new List<string>();
var problems = HelpCompilation.Run(args[0], args[1], args[2], written);
if (problems.Count > 0)
{
    foreach (var problem in problems)
    {
        Console.Error.WriteLine(problem);
    }

    Console.Error.WriteLine($"Help not compiled: {problems.Count} problem(s) in {args[0]}.");
    return 1;
}

foreach (var path in written)
{
    Console.WriteLine($"Help: {path}");
}

return 0;
