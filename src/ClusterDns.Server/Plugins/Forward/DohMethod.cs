namespace ClusterDns.Server.Plugins.Forward;

/// <summary>How a DNS over HTTPS query is sent (<c>doh_method</c>, RFC 8484 section 4.1).</summary>
internal enum DohMethod
{
    /// <summary>The query as an <c>application/dns-message</c> body (CoreDNS's default).</summary>
    Post,

    /// <summary>The query base64url-encoded in the <c>dns</c> parameter, which HTTP caches can keep.</summary>
    Get,
}
