using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Acl;

/// <summary>One line of an acl block: an action for queries of these types from these networks.</summary>
internal sealed class AclRule
{
    public AclRule(AclAction action, RecordType[]? types, AclNetwork[]? networks)
    {
        Action = action;
        Types = types;
        Networks = networks;
    }

    public AclAction Action { get; }

    /// <summary>The query types this rule applies to; null means every type (<c>type *</c> or none given).</summary>
    public RecordType[]? Types { get; }

    /// <summary>The client networks this rule applies to; null means every client (<c>net *</c> or none given).</summary>
    public AclNetwork[]? Networks { get; }

    public bool Matches(RecordType type, ReadOnlySpan<byte> client)
    {
        if (Types is { } types && Array.IndexOf(types, type) < 0)
        {
            return false;
        }
        if (Networks is not { } networks)
        {
            return true;
        }
        foreach (var network in networks)
        {
            if (network.Contains(client))
            {
                return true;
            }
        }
        return false;
    }
}
