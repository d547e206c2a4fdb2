using System.Net;
using System.Net.Sockets;
using ClusterDns.Corefile;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>The address arguments of <c>forward</c>: its TO upstreams, <c>resolver</c> and <c>source_address</c>.</summary>
internal static class ForwardAddressSyntax
{
    /// <summary>One TO: addresses (one, or a resolv.conf's), or a host name added to <paramref name="hostnames"/>.</summary>
    internal static IEnumerable<UpstreamAddress> ParseUpstream(Token token, Func<string, string> resolvePath, List<HostnameUpstream> hostnames)
    {
        string text = token.Text;
        bool useTls = false;
        string? serverName = null;
        if (text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return ParseHttps(token, text[8..], hostnames);
        }
        if (text.StartsWith("tls://", StringComparison.OrdinalIgnoreCase))
        {
            useTls = true;
            (text, serverName) = SplitServerName(token, text[6..]);
        }
        else if (text.StartsWith("dns://", StringComparison.OrdinalIgnoreCase))
        {
            text = text[6..];
        }
        else if (text.Contains('/') || File.Exists(resolvePath(text)))
        {
            return ReadResolvConf(token, resolvePath(text));
        }

        if (!TryParseEndPoint(text, useTls ? UpstreamAddress.TlsPort : UpstreamAddress.DnsPort, out var endPoint))
        {
            if (serverName is null && HostnameUpstream.TryParse(text, useTls, out var host))
            {
                hostnames.Add(host!);
                return [];
            }
            throw token.Error(serverName is null
                ? $"'{token.Text}' is not an upstream address (expected IP[:PORT], [IPv6]:PORT, HOST[:PORT], dns://, tls://, https:// or a resolv.conf path)"
                : $"'{token.Text}' is not an upstream address (tls://IP%SERVERNAME[:PORT] takes an IP address before the %)");
        }
        return [new UpstreamAddress(endPoint, useTls) { ServerName = serverName }];
    }

    /// <summary>"1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53", with <paramref name="defaultPort"/> when none is given.</summary>
    private static bool TryParseEndPoint(string text, int defaultPort, out IPEndPoint endPoint)
    {
        // IPEndPoint reads a missing port as 0.
        if (!IPEndPoint.TryParse(text, out endPoint!) || endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any)
            || (endPoint.Port == 0 && text.EndsWith(":0", StringComparison.Ordinal)))
        {
            return false;
        }
        if (endPoint.Port == 0)
        {
            endPoint.Port = defaultPort;
        }
        return true;
    }

    /// <summary>
    /// CoreDNS's per-upstream server name: "9.9.9.9%dns.quad9.net", "9.9.9.9%dns.quad9.net:10853",
    /// "[2001:db8::1]%dns.example:853". A % inside brackets is an IPv6 zone, not a server name.
    /// </summary>
    private static (string Address, string? ServerName) SplitServerName(Token token, string text)
    {
        int percent = text.IndexOf('%');
        int bracket = text.IndexOf(']');
        if (percent < 0 || (text.StartsWith('[') && percent < bracket))
        {
            return (text, null);
        }
        string address = text[..percent];
        string name = text[(percent + 1)..];
        int colon = name.LastIndexOf(':');
        if (colon >= 0)
        {
            string port = name[(colon + 1)..];
            name = name[..colon];
            // A bare IPv6 address takes brackets before a port is added to it.
            address = (address.Contains(':') && !address.StartsWith('[') ? "[" + address + "]" : address) + ":" + port;
        }
        if (name.Length == 0 || !DnsName.TryParse(name, out var parsed, out _) || parsed.Equals(DnsName.Root) || name.Contains('/'))
        {
            throw token.Error($"'{token.Text}' has no valid server name after '%' (expected tls://IP%SERVERNAME[:PORT])");
        }
        return (address, name);
    }

    /// <summary>DNS over HTTPS (CoreDNS 1.14.5): "https://IP[:PORT][/PATH]" or "https://HOST[:PORT][/PATH]"; port 443, path /dns-query.</summary>
    private static IEnumerable<UpstreamAddress> ParseHttps(Token token, string text, List<HostnameUpstream> hostnames)
    {
        int slash = text.IndexOf('/');
        string authority = slash < 0 ? text : text[..slash];
        string path = slash < 0 ? UpstreamAddress.DefaultHttpsPath : text[slash..];
        if (!IsUrlPath(path))
        {
            throw token.Error($"'{token.Text}' has a path that is not a URL path (no query, fragment, spaces or quotes)");
        }
        if (TryParseEndPoint(authority, UpstreamAddress.HttpsPort, out var endPoint))
        {
            return [new UpstreamAddress(endPoint, Tls: false) { HttpsPath = path }];
        }
        if (HostnameUpstream.TryParse(authority, tls: false, UpstreamAddress.HttpsPort, out var host))
        {
            hostnames.Add(host! with { HttpsPath = path });
            return [];
        }
        throw token.Error($"'{token.Text}' is not a DNS over HTTPS upstream (expected https://IP[:PORT][/PATH] or https://HOST[:PORT][/PATH])");
    }

    /// <summary>Printable ASCII path characters, none that would start a query or fragment or need quoting.</summary>
    private static bool IsUrlPath(string path)
    {
        foreach (char c in path)
        {
            if (c <= ' ' || c >= 0x7F || c is '?' or '#' or '"' or '<' or '>' or '\\' or '^' or '`' or '{' or '|' or '}')
            {
                return false;
            }
        }
        return path.StartsWith('/') && Uri.TryCreate("https://host" + path, UriKind.Absolute, out _);
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
