using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Header;

/// <summary>
/// <c>header { [query|response] set|clear FLAG... }</c>: FLAG is aa, ra, rd, ad or cd; a line without a selector
/// means <c>response</c> (CoreDNS's older syntax). At least one rule is required.
/// </summary>
public sealed class HeaderSetup : IPluginSetup
{
    public string Name => "header";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var (query, response) = Parse(directive);
        block.AddHandler(new HeaderHandler(query, response));
    }

    internal static (HeaderRules Query, HeaderRules Response) Parse(Directive directive)
    {
        directive.ExpectArgCount(0, 0);
        HeaderRules query = default, response = default;
        int rules = 0;
        foreach (var line in directive.Block)
        {
            string selector = line.Name.ToLowerInvariant();
            var words = line.Args.Select(a => a.Text).ToList();
            int first = 0;
            if (selector is "set" or "clear")
            {
                words.Insert(0, selector);
                selector = "response";
                first = -1;
            }
            else if (selector is not ("query" or "response"))
            {
                throw line.Error($"invalid selector '{line.Name}' in 'header': should be query or response");
            }
            line.ExpectNoBlock();
            if (words.Count == 0)
            {
                throw line.Error("no flag action provided: expected set or clear");
            }
            bool set = words[0].ToLowerInvariant() switch
            {
                "set" => true,
                "clear" => false,
                _ => throw line.ArgError(first, $"unknown flag action '{words[0]}': should be set or clear"),
            };
            if (words.Count < 2)
            {
                throw line.Error($"'{words[0]}' needs at least one flag (aa, ra, rd, ad, cd)");
            }
            for (int i = 1; i < words.Count; i++)
            {
                ushort bit = HeaderRules.Bit(words[i]);
                if (bit == 0)
                {
                    throw line.ArgError(i + first, $"unknown flag '{words[i]}': should be aa, ra, rd, ad or cd");
                }
                if (selector == "query")
                {
                    query = query.With(bit, set);
                }
                else
                {
                    response = response.With(bit, set);
                }
                rules++;
            }
        }
        if (rules == 0)
        {
            throw directive.Error("'header' needs a block with at least one rule");
        }
        return (query, response);
    }
}
