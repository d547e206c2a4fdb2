namespace ClusterDns.Server.Plugins.Acl;

/// <summary>What an acl rule does with a query it matches (CoreDNS's four actions).</summary>
internal enum AclAction
{
    /// <summary>Pass the query on to the next plugin.</summary>
    Allow,

    /// <summary>Answer REFUSED.</summary>
    Block,

    /// <summary>Answer NOERROR with no records (NODATA).</summary>
    Filter,

    /// <summary>Send nothing at all.</summary>
    Drop,
}
