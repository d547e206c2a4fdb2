using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Acl;

/// <summary>
/// CoreDNS's acl: the first rule (of the first acl directive whose zones hold the name) that matches the query
/// type and the client's address decides: allow passes on, block answers REFUSED, filter answers NODATA,
/// drop sends nothing. No matching rule allows. Allocates nothing: addresses are compared as bytes.
/// </summary>
internal sealed class AclHandler : DnsHandler
{
    private AclOptions[] _acls;

    public AclHandler(AclOptions acl)
    {
        _acls = [acl];
    }

    public override string Name => "acl";

    internal IReadOnlyList<AclOptions> Acls => _acls;

    /// <summary>A further acl directive in the same server block: evaluated after the earlier ones, as CoreDNS does.</summary>
    internal void Add(AclOptions acl) => _acls = [.. _acls, acl];

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        Span<byte> client = stackalloc byte[16];
        int clientLength = -1;
        var name = context.LowerName;
        foreach (var acl in _acls)
        {
            if (!InZones(name, acl.Zones))
            {
                continue;
            }
            if (clientLength < 0)
            {
                clientLength = AclNetwork.ReadClientAddress(context.RemoteAddress, client);
            }
            foreach (var rule in acl.Rules)
            {
                if (rule.Matches(context.QuestionType, client[..clientLength]))
                {
                    return Apply(rule.Action, context);
                }
            }
        }
        return NextAsync(context);
    }

    private ValueTask<HandlerResult> Apply(AclAction action, DnsQueryContext context)
    {
        switch (action)
        {
            case AclAction.Block:
                return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.Refused));
            case AclAction.Filter:
                // NOERROR with empty sections: the name may exist, this client just gets no records.
                return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.NoError));
            case AclAction.Drop:
                return new ValueTask<HandlerResult>(HandlerResult.Drop());
            default:
                return NextAsync(context);
        }
    }

    private static bool InZones(ReadOnlySpan<byte> name, IReadOnlyList<DnsName> zones)
    {
        for (int i = 0; i < zones.Count; i++)
        {
            if (WireName.IsSubdomainOf(name, zones[i].Wire))
            {
                return true;
            }
        }
        return false;
    }
}
