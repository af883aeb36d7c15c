using System.Text;

namespace Replication.HelpCompiler;

/// <summary>Word wrapping for plain-text help: about topics are read in an 80-column console.</summary>
internal static class TextWrap
{
    public const int Width = 80;

    /// <summary>
    /// Wraps text to <see cref="Width"/> columns. The first line starts with firstIndent, the rest with restIndent (a
    /// hanging indent for list items). A word longer than a line keeps a line of its own rather than being cut.
    /// Hard line breaks in the text are kept.
    /// </summary>
    public static void Append(StringBuilder output, string text, string firstIndent, string restIndent)
    {
        var indent = firstIndent;
        foreach (var hardLine in text.Split('\n'))
        {
            var line = new StringBuilder(indent);
            var lineHasWord = false;
            foreach (var word in hardLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (lineHasWord && line.Length + 1 + word.Length > Width)
                {
                    output.Append(line).Append('\n');
                    line.Clear().Append(restIndent);
                    lineHasWord = false;
                }

                line.Append(lineHasWord ? " " : "").Append(word);
                lineHasWord = true;
            }

            output.Append(line.ToString().TrimEnd()).Append('\n');
            indent = restIndent;
        }
    }
}
