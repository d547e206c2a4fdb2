namespace ClusterDns.Server.Plugins.Local;

/// <summary>The <c>local</c> block's settings.</summary>
internal sealed record LocalOptions
{
    /// <summary><c>localhost_prefix on|off</c>: also answer <c>localhost.ANY.NAME.</c> with loopback (CoreDNS's legacy default, on).</summary>
    public bool LocalhostPrefix { get; init; } = true;
}
