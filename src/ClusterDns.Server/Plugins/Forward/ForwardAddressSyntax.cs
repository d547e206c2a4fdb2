using System.Net;
using System.Net.Sockets;
using ClusterDns.Corefile;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>The address arguments of <c>forward</c>: its TO upstreams, <c>resolver</c> and <c>source_address</c>.</summary>
internal static class ForwardAddressSyntax
{
    /// <summary>One TO: addresses (one, or a resolv.conf's), or a host name added to <paramref name="hostnames"/>.</summary>
    internal static IEnumerable<UpstreamAddress> ParseUpstream(Token token, Func<string, string> resolvePath, List<HostnameUpstream> hostnames)
    {
        string text = token.Text;
        bool useTls = false;
        if (text.StartsWith("tls://", StringComparison.OrdinalIgnoreCase))
        {
            useTls = true;
            text = text[6..];
        }
        else if (text.StartsWith("dns://", StringComparison.OrdinalIgnoreCase))
        {
            text = text[6..];
        }
        else if (text.Contains('/') || File.Exists(resolvePath(text)))
        {
            return ReadResolvConf(token, resolvePath(text));
        }

        // "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53"; IPEndPoint reads a missing port as 0.
        if (!IPEndPoint.TryParse(text, out var endPoint) || endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any)
            || (endPoint.Port == 0 && text.EndsWith(":0", StringComparison.Ordinal)))
        {
            if (HostnameUpstream.TryParse(text, useTls, out var host))
            {
                hostnames.Add(host!);
                return [];
            }
            throw token.Error($"'{token.Text}' is not an upstream address (expected IP[:PORT], [IPv6]:PORT, HOST[:PORT], dns://, tls:// or a resolv.conf path)");
        }
        if (endPoint.Port == 0)
        {
            endPoint.Port = useTls ? UpstreamAddress.TlsPort : UpstreamAddress.DnsPort;
        }
        return [new UpstreamAddress(endPoint, useTls)];
    }

    internal static List<UpstreamAddress> ReadResolvConf(Token token, string path)
    {
        string content;
        try
        {
            content = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw token.Error($"cannot read resolv.conf '{path}': {exception.Message}");
        }
        var servers = ResolvConf.ParseNameservers(content);
        if (servers.Count == 0)
        {
            throw token.Error($"'{path}' lists no nameserver");
        }
        return servers.Select(a => new UpstreamAddress(new IPEndPoint(a, UpstreamAddress.DnsPort), Tls: false)).ToList();
    }

    internal static IPEndPoint ParseResolver(Token token)
    {
        var endPoint = token.ParseIPEndPoint(UpstreamAddress.DnsPort);
        if (endPoint.Address.Equals(IPAddress.IPv6Any) || endPoint.Address.Equals(IPAddress.Any))
        {
            throw token.Error($"'{token.Text}' is not a resolver address (expected IP or IP:PORT)");
        }
        return endPoint;
    }

    internal static IPAddress ParseSourceAddress(Token token)
    {
        // A bare address as Go's net.ParseIP reads it: no port, no zone, no short IPv4 forms such as "127.1".
        string text = token.Text;
        bool valid = IPAddress.TryParse(text, out var address) && !text.Contains('%') && !text.Contains('[')
            && (address.AddressFamily == AddressFamily.InterNetworkV6 || address.ToString() == text);
        if (!valid)
        {
            throw token.Error($"'{text}' is not an IP address (source_address takes a bare IPv4 or IPv6 address, no port)");
        }
        return address!;
    }
}
