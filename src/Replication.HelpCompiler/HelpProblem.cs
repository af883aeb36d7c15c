namespace Replication.HelpCompiler;

/// <summary>Something in a markdown file that would make its help wrong or incomplete; any one fails the compile.</summary>
internal sealed record HelpProblem(string File, string Message)
{
    /// <summary>"file: error: message", the shape build logs and editors recognise as an error with a location.</summary>
    public override string ToString() => $"{File}: error: {Message}";
}
