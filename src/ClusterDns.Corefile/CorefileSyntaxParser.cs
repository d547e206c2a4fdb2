namespace ClusterDns.Corefile;

/// <summary>
/// Builds server blocks from the token stream. A directive is a line: its name, the words on the same line,
/// and an optional block opened by "{" on that line. Snippets "(name) { … }" are stored unexpanded.
/// </summary>
internal sealed class CorefileSyntaxParser(TokenStream tokens, string mainFile)
{
    private const int MaxBlockDepth = 32;

    public List<ServerBlock> ParseServerBlocks()
    {
        var blocks = new List<ServerBlock>();
        while (tokens.Peek() is Token first)
        {
            if (first.IsCloseBrace)
            {
                throw CorefileException.At(first, "unexpected '}'");
            }

            if (first.IsOpenBrace)
            {
                throw CorefileException.At(first, "server block has no keys");
            }

            (List<Token> keys, Token? open) = ReadKeys();
            if (keys.Count == 1 && IsSnippetName(keys[0]))
            {
                DefineSnippet(keys[0], open);
                continue;
            }

            // A zone twice in one block is an error here; the same zone in two blocks is legal when all but the last
            // have a view, which the server checks (it knows the plugins).
            var defined = new HashSet<string>(StringComparer.Ordinal);
            var addresses = new List<ZoneAddress>();
            foreach (Token key in keys)
            {
                if (!ZoneAddress.TryParse(key.Text, out var parsed, out string? error))
                {
                    throw CorefileException.At(key, error);
                }

                foreach (ZoneAddress address in parsed)
                {
                    if (!defined.Add(address.ZoneAndPort))
                    {
                        throw CorefileException.At(key, $"zone '{address.ZoneAndPort}' is defined more than once");
                    }

                    addresses.Add(address);
                }
            }

            // Without braces the block runs to the end of the input, as Caddy allows for a single block.
            List<Directive> directives = ParseDirectives(open, depth: 1);
            blocks.Add(new ServerBlock(addresses, directives, keys[0].File, keys[0].Line));
        }

        if (blocks.Count == 0)
        {
            throw new CorefileException(mainFile, 1, "no server blocks defined");
        }

        return blocks;
    }

    /// <summary>Reads "key[,] key … {": keys end at "{" or, for a block without braces, at the end of the line;
    /// a key ending in "," continues onto the next line.</summary>
    private (List<Token> Keys, Token? Open) ReadKeys()
    {
        var keys = new List<Token>();
        bool expectingAnother = false;
        Token token = tokens.Next()!;
        while (true)
        {
            if (token.IsOpenBrace)
            {
                if (expectingAnother)
                {
                    throw CorefileException.At(token, "expected another key after ','");
                }

                return (keys, token);
            }

            if (token.IsCloseBrace)
            {
                throw CorefileException.At(token, "unexpected '}'");
            }

            string[] pieces = token.Text.Split(',');
            for (int i = 0; i < pieces.Length; i++)
            {
                bool trailing = i == pieces.Length - 1;
                if (pieces[i].Length == 0 && !(trailing && i > 0))
                {
                    throw CorefileException.At(token, $"empty key in '{token.Text}'");
                }

                if (pieces[i].Length > 0)
                {
                    keys.Add(token.WithText(pieces[i]));
                }
            }

            expectingAnother = pieces.Length > 1 && pieces[^1].Length == 0;
            Token? next = tokens.Peek();
            if (next is null)
            {
                if (expectingAnother)
                {
                    throw CorefileException.At(token, "expected another key after ','");
                }

                return (keys, null);
            }

            if (next.StartsLine && !expectingAnother && !next.IsOpenBrace)
            {
                return (keys, null);
            }

            token = tokens.Next()!;
        }
    }

    private static bool IsSnippetName(Token key) =>
        !key.WasQuoted && key.Text.Length > 2 && key.Text[0] == '(' && key.Text[^1] == ')';

    private void DefineSnippet(Token key, Token? open)
    {
        string name = key.Text[1..^1];
        if (open is null)
        {
            throw CorefileException.At(key, $"snippet '{key.Text}' needs a '{{ … }}' body");
        }

        var body = new List<Token>();
        int depth = 1;
        while (true)
        {
            Token? token = tokens.NextRaw() ?? throw CorefileException.At(open, "'{' is never closed");
            if (token.IsOpenBrace)
            {
                depth++;
            }
            else if (token.IsCloseBrace && --depth == 0)
            {
                break;
            }

            body.Add(token);
        }

        tokens.DefineSnippet(key, name, body);
    }

    /// <summary>Directive lines until the "}" matching <paramref name="open"/> (or the end of input when null).</summary>
    private List<Directive> ParseDirectives(Token? open, int depth)
    {
        if (depth > MaxBlockDepth && open is not null)
        {
            throw CorefileException.At(open, $"blocks nested more than {MaxBlockDepth} deep");
        }

        var directives = new List<Directive>();
        while (true)
        {
            Token? name = tokens.Next();
            if (name is null)
            {
                return open is null ? directives : throw CorefileException.At(open, "'{' is never closed");
            }

            if (name.IsCloseBrace)
            {
                return open is not null ? directives : throw CorefileException.At(name, "unexpected '}'");
            }

            if (name.IsOpenBrace)
            {
                throw CorefileException.At(name, "unexpected '{' (a block opens on the line of its directive)");
            }

            var args = new List<Token>();
            List<Directive> block = [];
            bool hasBlock = false;
            while (tokens.Peek() is Token arg && !arg.StartsLine && !arg.IsCloseBrace)
            {
                tokens.Next();
                if (arg.IsOpenBrace)
                {
                    block = ParseDirectives(arg, depth + 1);
                    hasBlock = true;
                    if (tokens.Peek() is Token after && !after.StartsLine && !after.IsCloseBrace)
                    {
                        throw CorefileException.At(after, $"unexpected '{after.Text}' after '}}' (start a new line)");
                    }

                    break;
                }

                args.Add(arg);
            }

            directives.Add(new Directive(name, args, block, hasBlock));
        }
    }
}
