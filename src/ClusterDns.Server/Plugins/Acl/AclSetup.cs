using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Acl;

/// <summary>
/// <c>acl [ZONES...] { allow|block|filter|drop [type QTYPE...] [net SOURCE...] }</c>, as CoreDNS's acl plugin.
/// Several acl directives in one server block are evaluated in order by one handler.
/// </summary>
public sealed class AclSetup : IPluginSetup
{
    public string Name => "acl";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var acl = Parse(directive, block.Zones);
        foreach (var handler in block.Handlers)
        {
            if (handler is AclHandler existing)
            {
                existing.Add(acl);
                return;
            }
        }
        block.AddHandler(new AclHandler(acl));
    }

    internal static AclOptions Parse(Directive directive, IReadOnlyList<DnsName> blockZones)
    {
        var zones = ZoneArguments.OrBlock(directive.Args, 0, blockZones);
        if (!directive.HasBlock || directive.Block.Count == 0)
        {
            throw directive.Error("'acl' needs a block with at least one rule: allow|block|filter|drop [type QTYPE...] [net SOURCE...]");
        }
        var rules = new AclRule[directive.Block.Count];
        for (int i = 0; i < rules.Length; i++)
        {
            rules[i] = ParseRule(directive.Block[i]);
        }
        return new AclOptions { Zones = zones, Rules = rules };
    }

    private static void ExpectValues(Token? section, int values)
    {
        if (section is not null && values == 0)
        {
            throw section.Error($"'acl': '{section.Text}' needs at least one value ('*' for all)");
        }
    }

    private static AclRule ParseRule(Directive line)
    {
        var action = line.Name switch
        {
            "allow" => AclAction.Allow,
            "block" => AclAction.Block,
            "filter" => AclAction.Filter,
            "drop" => AclAction.Drop,
            _ => throw line.Error($"'acl': unknown action '{line.Name}' (expected allow, block, filter or drop)"),
        };
        if (line.HasBlock)
        {
            throw line.Error($"'acl': '{line.Name}' takes no block");
        }
        List<RecordType>? types = null;
        List<AclNetwork>? networks = null;
        bool anyType = false, anyNet = false;
        string? section = null;
        Token? sectionToken = null;
        int values = 0;
        foreach (var token in line.Args)
        {
            if (token.Text is "type" or "net")
            {
                ExpectValues(sectionToken, values);
                section = token.Text;
                sectionToken = token;
                values = 0;
                continue;
            }
            values++;
            switch (section)
            {
                case "type":
                    if (token.Text == "*")
                    {
                        anyType = true;
                    }
                    else if (RecordTypeNames.TryParse(token.Text, out RecordType type))
                    {
                        (types ??= new()).Add(type);
                    }
                    else
                    {
                        throw token.Error($"'acl': unknown query type '{token.Text}'");
                    }
                    break;
                case "net":
                    if (token.Text == "*")
                    {
                        anyNet = true;
                    }
                    else if (AclNetwork.TryParse(token.Text, out var network, out var error))
                    {
                        (networks ??= new()).Add(network!);
                    }
                    else
                    {
                        throw token.Error($"'acl': {error}");
                    }
                    break;
                default:
                    throw token.Error($"'acl': expected 'type' or 'net' before '{token.Text}'");
            }
        }
        ExpectValues(sectionToken, values);
        return new AclRule(action, anyType ? null : types?.ToArray(), anyNet ? null : networks?.ToArray());
    }
}
