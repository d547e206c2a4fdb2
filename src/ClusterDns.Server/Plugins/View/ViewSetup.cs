using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.View;

/// <summary>
/// <c>view NAME { expr EXPRESSION ... }</c>, as CoreDNS's view: the block answers only queries for which every
/// expression is true. One view per server block. Publishes the metadata <c>view/name</c>.
/// </summary>
public sealed class ViewSetup : IPluginSetup
{
    public const string NameLabel = "view/name";

    public string Name => "view";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        if (block.View is not null)
        {
            throw directive.Error($"'view': only one view per server block (this block already has view '{block.View.ViewName}')");
        }
        var view = Parse(directive);
        block.View = view;
        block.MetadataProviders.Add(new FuncMetadataProvider(NameLabel, static context => context.Block?.ViewName));
    }

    internal static QueryView Parse(Directive directive)
    {
        if (directive.Args.Count != 1)
        {
            throw directive.Error("'view' takes one argument, the view's name: view NAME { expr EXPRESSION }");
        }
        var expressions = new List<ViewExpression>();
        foreach (var line in directive.Block)
        {
            if (line.Name != "expr")
            {
                throw line.Error($"'view': unknown property '{line.Name}' (expected expr)");
            }
            if (line.HasBlock)
            {
                throw line.Error("'view': 'expr' takes no block");
            }
            if (line.Args.Count == 0)
            {
                throw line.Error("'view': 'expr' needs an expression");
            }
            // The Corefile splits the expression at spaces; CoreDNS joins the pieces with one space.
            var text = string.Join(' ', line.Args.Select(a => a.Text));
            if (!ViewExpression.TryParse(text, out var expression, out var error))
            {
                throw line.Error($"'view {directive.Args[0].Text}': expression '{text}': {error}");
            }
            expressions.Add(expression!);
        }
        return new QueryView(directive.Args[0].Text, expressions);
    }
}
