using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ClusterDns.Corefile;

/// <summary>
/// The parser's view of the tokens: the main file's tokens with every "import" line replaced, when it is read,
/// by the tokens of the snippet or files it names. Keeps the import chain for cycle detection and feeds every
/// file's bytes to the content hash.
/// </summary>
internal sealed partial class TokenStream
{
    private const int MaxImportDepth = 64;

    private readonly List<Frame> _frames = [];
    private readonly Dictionary<string, List<Token>> _snippets = new(StringComparer.Ordinal);
    private readonly Func<string, string?> _environment;
    private readonly ICorefileIncludeResolver _includes;
    private readonly IncrementalHash _hash;

    public TokenStream(List<Token> mainTokens, string mainFile, Func<string, string?> environment,
        ICorefileIncludeResolver includes, IncrementalHash hash)
    {
        _environment = environment;
        _includes = includes;
        _hash = hash;
        _frames.Add(new Frame(mainTokens, mainFile, FullPathOrSelf(mainFile), snippet: null));
    }

    /// <summary>The next token, import lines expanded; null at the end of input.</summary>
    public Token? Peek()
    {
        while (true)
        {
            Token? token = PeekRaw();
            if (token is null || !token.StartsLine || token.WasQuoted || token.Text != "import")
            {
                return token;
            }

            ExpandImport(_frames[^1]);
        }
    }

    public Token? Next()
    {
        Token? token = Peek();
        if (token is not null)
        {
            _frames[^1].Index++;
        }

        return token;
    }

    /// <summary>The next token without expanding imports (a snippet body is stored as written).</summary>
    public Token? NextRaw()
    {
        Token? token = PeekRaw();
        if (token is not null)
        {
            _frames[^1].Index++;
        }

        return token;
    }

    public void DefineSnippet(Token name, string snippetName, List<Token> body)
    {
        if (!_snippets.TryAdd(snippetName, body))
        {
            throw CorefileException.At(name, $"snippet '{snippetName}' is defined more than once");
        }
    }

    private Token? PeekRaw()
    {
        while (_frames.Count > 0)
        {
            Frame top = _frames[^1];
            if (top.Index < top.Tokens.Count)
            {
                return top.Tokens[top.Index];
            }

            if (top.PendingFiles.Count > 0)
            {
                StartNextFile(top);
                continue;
            }

            _frames.RemoveAt(_frames.Count - 1);
        }

        return null;
    }

    private void ExpandImport(Frame frame)
    {
        Token import = frame.Tokens[frame.Index++];
        var args = new List<Token>();
        while (frame.Index < frame.Tokens.Count && !frame.Tokens[frame.Index].StartsLine && !frame.Tokens[frame.Index].IsStructural)
        {
            args.Add(frame.Tokens[frame.Index++]);
        }

        if (args.Count == 0)
        {
            throw CorefileException.At(import, "import needs a snippet name or a file pattern");
        }

        if (_frames.Count >= MaxImportDepth)
        {
            throw CorefileException.At(import, $"imports nested more than {MaxImportDepth} deep");
        }

        string target = args[0].Text;
        string[] importArgs = args.Skip(1).Select(a => a.Text).ToArray();
        if (_snippets.TryGetValue(target, out List<Token>? body))
        {
            if (_frames.Any(f => f.Snippet == target))
            {
                throw CorefileException.At(import, $"import cycle: {Chain(f => f.Snippet is not null, f => $"snippet '{f.Snippet}'")} -> snippet '{target}'");
            }

            _frames.Add(new Frame(Substitute(body, importArgs, import, target), frame.File, frame.FullPath, target));
            return;
        }

        IReadOnlyList<CorefileInclude> files;
        try
        {
            files = _includes.Resolve(target, import.File);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw CorefileException.At(import, $"import '{target}': {ex.Message}");
        }

        if (files.Count == 0)
        {
            string reason = GlobPattern.HasWildcards(target) ? "no files match" : "no snippet or file by that name";
            throw CorefileException.At(import, $"import '{target}': {reason}");
        }

        var pending = new Frame([], frame.File, frame.FullPath, snippet: null) { Import = import, ImportTarget = target, ImportArgs = importArgs };
        pending.PendingFiles.AddRange(files);
        _frames.Add(pending);
    }

    /// <summary>Begins the next file of a glob import; checked for a cycle only now, against the files
    /// actually being read, so two siblings of one glob may import each other's neighbours freely.</summary>
    private void StartNextFile(Frame frame)
    {
        CorefileInclude include = frame.PendingFiles[0];
        frame.PendingFiles.RemoveAt(0);
        Token import = frame.Import!;
        string fullPath = FullPathOrSelf(include.Path);
        if (_frames.Any(f => f.Snippet is null && f.FullPath == fullPath && f != frame))
        {
            string chain = Chain(f => f.Snippet is null && f != frame, f => f.File);
            throw CorefileException.At(import, $"import cycle: {chain} -> {include.Path}");
        }

        _hash.AppendData(include.Content);
        string text = CorefileParser.Decode(include.Content, include.Path);
        List<Token> tokens = CorefileLexer.Tokenize(text, include.Path, _environment);
        frame.Tokens = Substitute(tokens, frame.ImportArgs, import, frame.ImportTarget);
        frame.Index = 0;
        frame.File = include.Path;
        frame.FullPath = fullPath;
    }

    private string Chain(Func<Frame, bool> include, Func<Frame, string> name)
    {
        var names = new List<string>();
        foreach (Frame f in _frames)
        {
            if (include(f) && (names.Count == 0 || names[^1] != name(f)))
            {
                names.Add(name(f));
            }
        }

        return string.Join(" -> ", names);
    }

    /// <summary>Fills {args[N]} placeholders and makes the first token start a line.</summary>
    private static List<Token> Substitute(List<Token> tokens, string[] args, Token import, string target)
    {
        var result = new List<Token>(tokens.Count);
        foreach (Token token in tokens)
        {
            Token t = token;
            if (!t.IsStructural && t.Text.Contains("{args[", StringComparison.Ordinal))
            {
                string text = ArgPlaceholder().Replace(t.Text, m =>
                {
                    int index = int.TryParse(m.Groups[1].Value, out int n) ? n : int.MaxValue;
                    if (index >= args.Length)
                    {
                        throw CorefileException.At(import,
                            $"import '{target}': placeholder {m.Value} at {t.File}:{t.Line} needs an argument, but {args.Length} given");
                    }

                    return args[index];
                });
                t = t.WithText(text);
            }

            result.Add(result.Count == 0 ? t.AsLineStart() : t);
        }

        return result;
    }

    private static string FullPathOrSelf(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path;
        }
    }

    [GeneratedRegex(@"\{args\[(\d+)\]\}", RegexOptions.CultureInvariant)]
    private static partial Regex ArgPlaceholder();

    private sealed class Frame(List<Token> tokens, string file, string fullPath, string? snippet)
    {
        public List<Token> Tokens { get; set; } = tokens;

        public int Index { get; set; }

        /// <summary>The file the tokens come from (for a snippet: the file it was defined in).</summary>
        public string File { get; set; } = file;

        public string FullPath { get; set; } = fullPath;

        public string? Snippet { get; } = snippet;

        public List<CorefileInclude> PendingFiles { get; } = [];

        public Token? Import { get; init; }

        public string ImportTarget { get; init; } = string.Empty;

        public string[] ImportArgs { get; init; } = [];
    }
}
