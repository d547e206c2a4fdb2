using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.View;

/// <summary>One <c>expr</c> line of a view, parsed and type-checked when the Corefile is read.</summary>
public sealed class ViewExpression
{
    private readonly ExprNode _root;

    private ViewExpression(string text, ExprNode root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    public static bool TryParse(string text, out ViewExpression? expression, out string? error)
    {
        if (!ExprParser.TryParse(text, out var root, out error))
        {
            expression = null;
            return false;
        }
        expression = new ViewExpression(text, root!);
        return true;
    }

    /// <summary>True only for a boolean true; anything else (another type, a run-time error) is false, as in CoreDNS.</summary>
    public bool IsTrueFor(DnsQueryContext context) => _root.Evaluate(ExprScope.For(context)).IsTrue;

    public override string ToString() => Text;
}
