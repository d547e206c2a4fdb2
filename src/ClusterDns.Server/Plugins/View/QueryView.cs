using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.View;

/// <summary>A server block's view: its name and <c>expr</c> lines, all of which must be true (none: always admits).</summary>
public sealed class QueryView : ViewFilter
{
    private readonly ViewExpression[] _expressions;

    public QueryView(string name, IReadOnlyList<ViewExpression> expressions)
    {
        ViewName = name;
        _expressions = expressions.ToArray();
    }

    public override string ViewName { get; }

    public IReadOnlyList<ViewExpression> Expressions => _expressions;

    public override bool Admits(DnsQueryContext context)
    {
        try
        {
            foreach (var expression in _expressions)
            {
                if (!expression.IsTrueFor(context))
                {
                    return false;
                }
            }
            return true;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Evaluation is written not to throw; should a bug slip through, the view simply does not match.
            return false;
        }
    }
}
