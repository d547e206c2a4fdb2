using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Config;

/// <summary>One server block being turned into a runtime: its zones, port, bind addresses and handlers.</summary>
public sealed class ServerBlockBuilder
{
    private readonly List<DnsHandler> _handlers = new();

    public ServerBlockBuilder(ServerBlock source, IReadOnlyList<DnsName> zones, int port, ServerBuildContext context, ServerTransport transport = ServerTransport.Dns)
    {
        Source = source;
        Zones = zones;
        Port = port;
        Context = context;
        Transport = transport;
    }

    /// <summary>The scheme of the block's keys on this port: plain DNS, DNS over TLS or DNS over HTTPS.</summary>
    public ServerTransport Transport { get; }

    /// <summary>The block's server certificate (the <c>tls</c> plugin); required for <c>tls://</c>.</summary>
    public IServerTlsCredentials? Tls { get; set; }

    /// <summary>Limits of a DNS-over-HTTPS port (the <c>https</c> plugin).</summary>
    public HttpsSettings Https { get; set; } = HttpsSettings.Default;

    public ServerBlock Source { get; }

    /// <summary>The block's zones (lower-case, absolute).</summary>
    public IReadOnlyList<DnsName> Zones { get; }

    public int Port { get; }

    public ServerBuildContext Context { get; }

    /// <summary>Addresses to listen on; empty means every address (the <c>bind</c> plugin fills it).</summary>
    public List<IPAddress> BindAddresses { get; } = new();

    /// <summary>The largest UDP answer to an EDNS client (the <c>bufsize</c> plugin may change it).</summary>
    public int MaxUdpSize { get; set; } = 1232;

    /// <summary>Sockets per address and protocol, sharing the port through SO_REUSEPORT (the <c>multisocket</c> plugin).</summary>
    public int SocketCount { get; set; } = 1;

    /// <summary>TCP read, write and idle timeouts and queries per connection (the <c>timeouts</c> plugin).</summary>
    public TcpSettings Tcp { get; set; } = TcpSettings.None;

    public IReadOnlyList<DnsHandler> Handlers => _handlers;

    /// <summary>Resolves names through this block's port once the pipeline is built (CNAME chasing).</summary>
    public InternalResolver Resolver { get; } = new();

    public void AddHandler(DnsHandler handler) => _handlers.Add(handler);

    /// <summary>The block's view (the <c>view</c> plugin); null for a default block.</summary>
    public ViewFilter? View { get; set; }

    /// <summary>Metadata providers the block's plugins offer; read only when the block has <c>metadata</c>.</summary>
    public List<MetadataProvider> MetadataProviders { get; } = new();

    /// <summary>The zones of the <c>metadata</c> plugin; null when the block does not enable metadata.</summary>
    public IReadOnlyList<DnsName>? MetadataZones { get; set; }

    /// <summary>The handlers in CoreDNS's plugin order, linked into a chain.</summary>
    public ServerBlockRuntime Build()
    {
        var ordered = _handlers.OrderBy(h => PluginOrder.RankOf(h.Name)).ToArray();
        for (int i = 0; i < ordered.Length; i++)
        {
            ordered[i].Next = i + 1 < ordered.Length ? ordered[i + 1] : null;
        }
        return new ServerBlockRuntime(Zones, ordered.Length > 0 ? ordered[0] : null, ordered)
        {
            View = View,
            Metadata = MetadataZones is { } zones ? new MetadataSet(MetadataProviders, zones) : null,
        };
    }
}
