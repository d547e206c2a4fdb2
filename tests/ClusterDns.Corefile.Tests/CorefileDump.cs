using System.Text;

namespace ClusterDns.Corefile.Tests;

/// <summary>A canonical text form of a parsed Corefile for golden-file comparison: one line per block and
/// directive, every token with its line, quoted tokens in «».</summary>
internal static class CorefileDump
{
    public static string Render(CorefileDocument document)
    {
        var text = new StringBuilder();
        foreach (ServerBlock block in document.ServerBlocks)
        {
            text.Append("block @").Append(block.Line).Append(':');
            foreach (ZoneAddress key in block.Keys)
            {
                text.Append(' ').Append(key);
            }

            text.Append('\n');
            foreach (Directive directive in block.Directives)
            {
                Render(directive, 1, text);
            }
        }

        return text.ToString();
    }

    private static void Render(Directive directive, int depth, StringBuilder text)
    {
        text.Append(' ', depth * 2).Append(Word(directive.NameToken));
        foreach (Token arg in directive.Args)
        {
            text.Append(' ').Append(Word(arg));
        }

        if (directive.HasBlock)
        {
            text.Append(" {").Append(directive.Block.Count == 0 ? "}" : string.Empty);
        }

        text.Append('\n');
        foreach (Directive sub in directive.Block)
        {
            Render(sub, depth + 1, text);
        }
    }

    private static string Word(Token token) =>
        (token.WasQuoted ? $"«{token.Text}»" : token.Text) + "@" + token.Line;
}
