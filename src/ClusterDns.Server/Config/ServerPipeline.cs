using System.Net;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Config;

/// <summary>
/// Everything one Corefile builds: per listening port a router over its server blocks, plus the components
/// and readiness reporters its plugins need. Reload builds a new one beside the old one and swaps it.
/// </summary>
public sealed class ServerPipeline
{
    public ServerPipeline(IReadOnlyList<ListenerGroup> listeners, ServerBuildContext context, string contentHash)
    {
        Listeners = listeners;
        Context = context;
        ContentHash = contentHash;
    }

    public IReadOnlyList<ListenerGroup> Listeners { get; }

    public ServerBuildContext Context { get; }

    public IReadOnlyList<IServerComponent> Components => Context.Components;

    public IReadOnlyList<IReadinessReporter> Readiness => Context.Readiness;

    /// <summary>SHA-512 of the Corefile and its imports: reload compares it.</summary>
    public string ContentHash { get; }

    public IEnumerable<ServerBlockRuntime> Blocks => Listeners.SelectMany(l => l.Router.Blocks);
}

/// <summary>The server blocks that share one port, the addresses to listen on for them, and how many sockets each.</summary>
public sealed record ListenerGroup(int Port, IReadOnlyList<IPAddress> Addresses, ZoneRouter Router, int MaxUdpSize, int SocketCount = 1)
{
    /// <summary>The TCP limits the port's blocks set (merged); <see cref="TcpSettings.None"/> keeps the defaults.</summary>
    public TcpSettings Tcp { get; init; } = TcpSettings.None;

    /// <summary>How the port is served: UDP and TCP, DNS over TLS, or DNS over HTTPS.</summary>
    public ServerTransport Transport { get; init; } = ServerTransport.Dns;

    /// <summary>The port's server certificate; null for plain DNS (and for <c>https://</c> behind a TLS-terminating proxy).</summary>
    public IServerTlsCredentials? Tls { get; init; }

    /// <summary>Limits of a DNS-over-HTTPS port.</summary>
    public HttpsSettings Https { get; init; } = HttpsSettings.Default;

    /// <summary>CoreDNS's <c>server</c> metric label for this group, e.g. <c>dns://:53</c> or <c>tls://:853</c>.</summary>
    public string ServerLabel => Transport switch
    {
        ServerTransport.Tls => "tls://:",
        ServerTransport.Https => "https://:",
        _ => "dns://:",
    } + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
