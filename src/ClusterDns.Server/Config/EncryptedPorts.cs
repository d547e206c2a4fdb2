using ClusterDns.Corefile;

namespace ClusterDns.Server.Config;

/// <summary>
/// What the blocks sharing a <c>tls://</c> or <c>https://</c> port must agree on: one transport, one certificate.
/// A <c>tls://</c> port without a certificate is refused (CoreDNS would serve it unencrypted on 853, a trap); an
/// <c>https://</c> port without one serves plain HTTP, for a proxy in front that terminates TLS, as CoreDNS does.
/// </summary>
internal static class EncryptedPorts
{
    public static ServerTransport TransportOf(int port, IReadOnlyList<ServerBlockBuilder> builders)
    {
        var first = builders[0];
        foreach (var builder in builders)
        {
            if (builder.Transport != first.Transport)
            {
                throw At(builder, $"port {port} is served as {Scheme(first.Transport)} by the block at line {first.Source.Line} and as {Scheme(builder.Transport)} here; a port serves one transport");
            }
        }
        return first.Transport;
    }

    public static IServerTlsCredentials? CredentialsOf(int port, ServerTransport transport, IReadOnlyList<ServerBlockBuilder> builders)
    {
        ServerBlockBuilder? owner = null;
        foreach (var builder in builders)
        {
            if (builder.Tls is null)
            {
                continue;
            }
            if (owner is not null && owner.Tls!.Identity != builder.Tls.Identity)
            {
                throw At(builder, $"blocks sharing port {port} must use one certificate: the block at line {owner.Source.Line} names another");
            }
            owner ??= builder;
        }
        if (transport == ServerTransport.Tls && owner is null)
        {
            throw At(builders[0], $"tls:// port {port} needs a certificate: add 'tls CERT KEY [CA]' to the block");
        }
        return owner?.Tls;
    }

    public static HttpsSettings HttpsOf(IReadOnlyList<ServerBlockBuilder> builders)
    {
        var merged = builders[0].Https;
        foreach (var builder in builders)
        {
            merged = merged with
            {
                MaxConnections = Lenient(merged.MaxConnections, builder.Https.MaxConnections),
                MaxStreams = Lenient(merged.MaxStreams, builder.Https.MaxStreams),
            };
        }
        return merged;
    }

    // 0 is "unbounded", the most lenient of all.
    private static int Lenient(int a, int b) => a == 0 || b == 0 ? 0 : Math.Max(a, b);

    private static string Scheme(ServerTransport transport) => transport switch
    {
        ServerTransport.Tls => "tls://",
        ServerTransport.Https => "https://",
        _ => "dns://",
    };

    private static CorefileException At(ServerBlockBuilder builder, string reason) =>
        new(builder.Source.File, builder.Source.Line, reason);
}
