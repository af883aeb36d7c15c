using System;
using System.Management.Automation;

// Usage: OldAsyncInterfacesHost <script.ps1> [-Name value]...
// Runs the script in a runspace of this process and writes its output, one object a line; errors go to stderr and
// make the exit code 1.
if (args.Length == 0 || args.Length % 2 == 0)
{
    Console.Error.WriteLine("Usage: OldAsyncInterfacesHost <script.ps1> [-Name value]...");
    return 2;
}

using var shell = PowerShell.Create();
shell.AddCommand(args[0]);
for (var i = 1; i < args.Length; i += 2)
{
    shell.AddParameter(args[i].TrimStart('-'), args[i + 1]);
}

try
{
    foreach (var item in shell.Invoke())
    {
        Console.WriteLine(item);
    }
}
catch (RuntimeException error)
{
    Console.Error.WriteLine(error.ErrorRecord.ToString());
    for (Exception? inner = error; inner is not null; inner = inner.InnerException)
    {
        Console.Error.WriteLine($"  {inner.GetType().FullName}: {inner.Message}");
    }

    return 1;
}

foreach (var error in shell.Streams.Error)
{
    Console.Error.WriteLine(error.ToString());
}

return shell.HadErrors ? 1 : 0;
