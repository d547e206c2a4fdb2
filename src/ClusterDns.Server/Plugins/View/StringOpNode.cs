using System.Text.RegularExpressions;

namespace ClusterDns.Server.Plugins.View;

internal enum StringOp : byte
{
    Matches,
    StartsWith,
    EndsWith,
    Contains,
}

/// <summary>
/// <c>matches</c> (a regular expression; a constant one is compiled once, at start-up), <c>startsWith</c>,
/// <c>endsWith</c>, <c>contains</c>. Regexes run non-backtracking, linear in the input like Go's RE2.
/// </summary>
internal sealed class StringOpNode : ExprNode
{
    private static readonly TimeSpan DynamicRegexTimeout = TimeSpan.FromMilliseconds(50);

    private readonly ExprNode _left;
    private readonly ExprNode _right;
    private readonly StringOp _op;
    private readonly Regex? _regex;

    private StringOpNode(ExprNode left, ExprNode right, StringOp op, Regex? regex)
    {
        _left = left;
        _right = right;
        _op = op;
        _regex = regex;
    }

    public override ExprType Type => ExprType.Bool;

    public static bool TryCreate(ExprNode left, ExprNode right, StringOp op, out ExprNode? node, out string? error)
    {
        node = null;
        Regex? regex = null;
        if (op == StringOp.Matches && right.Constant is { Kind: ExprValueKind.String } pattern)
        {
            if (!TryCompile(pattern.Text.ToString(), out regex, out error))
            {
                return false;
            }
        }
        node = new StringOpNode(left, right, op, regex);
        error = null;
        return true;
    }

    public static bool TryCompile(string pattern, out Regex? regex, out string? error)
    {
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            error = null;
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException)
        {
            regex = null;
            error = $"invalid regular expression '{pattern}': {exception.Message}";
            return false;
        }
    }

    public override ExprValue Evaluate(ExprScope scope)
    {
        var left = _left.Evaluate(scope);
        var right = _right.Evaluate(scope);
        if (left.Kind != ExprValueKind.String || right.Kind != ExprValueKind.String)
        {
            return ExprValue.Error;
        }
        var text = left.Text.Span;
        var other = right.Text.Span;
        switch (_op)
        {
            case StringOp.StartsWith:
                return ExprValue.Of(text.StartsWith(other, StringComparison.Ordinal));
            case StringOp.EndsWith:
                return ExprValue.Of(text.EndsWith(other, StringComparison.Ordinal));
            case StringOp.Contains:
                return ExprValue.Of(text.Contains(other, StringComparison.Ordinal));
        }
        if (_regex is { } regex)
        {
            return ExprValue.Of(regex.IsMatch(text));
        }
        // A pattern computed per query (rare): compiled each time, with a bound on its running time.
        try
        {
            return ExprValue.Of(Regex.IsMatch(text, other.ToString(), RegexOptions.CultureInvariant, DynamicRegexTimeout));
        }
        catch (Exception exception) when (exception is ArgumentException or RegexMatchTimeoutException)
        {
            return ExprValue.Error;
        }
    }
}
