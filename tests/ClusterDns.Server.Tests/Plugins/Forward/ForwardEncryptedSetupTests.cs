using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Server.Plugins.Forward;

namespace ClusterDns.Server.Tests.Plugins.Forward;

/// <summary>
/// forward's TLS and HTTPS upstream syntax: CoreDNS's setup_test.go TestSetupTLS cases, its README's
/// <c>tls://IP%SERVERNAME[:PORT]</c> and <c>https://</c> forms (1.14.5) and <c>doh_method</c>, restated.
/// </summary>
public sealed class ForwardEncryptedSetupTests
{
    private static ForwardOptions Parse(string text) => ForwardSetup.Parse(TestDns.Directive(text), p => p);

    // CoreDNS TestSetupTLS: the server name lands in the TLS settings; tls_servername and tls are accepted with plain upstreams.
    [Theory]
    [InlineData("forward . tls://127.0.0.1 {\n tls_servername dns\n}", "127.0.0.1:853", true, "dns")]
    [InlineData("forward . 127.0.0.1 {\n tls_servername dns\n}", "127.0.0.1:53", false, "dns")]
    [InlineData("forward . 127.0.0.1 {\n tls\n}", "127.0.0.1:53", false, null)]
    [InlineData("forward . tls://127.0.0.1", "127.0.0.1:853", true, null)]
    public void Coredns_setup_tls_cases(string text, string endPoint, bool tls, string? serverName)
    {
        var options = Parse(text);

        var upstream = Assert.Single(options.Upstreams);
        Assert.Equal(IPEndPoint.Parse(endPoint), upstream.EndPoint);
        Assert.Equal(tls, upstream.Tls);
        Assert.Equal(serverName, options.Tls.ServerName);
        Assert.Equal(serverName ?? "127.0.0.1", options.Tls.ServerNameFor(upstream));
    }

    // The README's per-upstream server name: tls://9.9.9.9%dns.quad9.net, with the port after the name.
    [Theory]
    [InlineData("forward . tls://9.9.9.9%dns.quad9.net", "9.9.9.9:853", "dns.quad9.net")]
    [InlineData("forward . tls://9.9.9.9%dns.quad9.net:10853", "9.9.9.9:10853", "dns.quad9.net")]
    [InlineData("forward . tls://[2001:db8::9]%dns.example:8853", "[2001:db8::9]:8853", "dns.example")]
    [InlineData("forward . tls://2001:db8::9%dns.example", "[2001:db8::9]:853", "dns.example")]
    public void Per_upstream_server_names(string text, string endPoint, string serverName)
    {
        var options = Parse(text);

        var upstream = Assert.Single(options.Upstreams);
        Assert.True(upstream.Tls);
        Assert.Equal(IPEndPoint.Parse(endPoint), upstream.EndPoint);
        Assert.Equal(serverName, upstream.ServerName);
        Assert.Equal(serverName, options.Tls.ServerNameFor(upstream));
    }

    [Fact]
    public void Each_upstream_keeps_its_own_server_name()
    {
        var options = Parse("forward . tls://1.1.1.1%cloudflare-dns.com tls://9.9.9.9%dns.quad9.net tls://8.8.8.8");

        Assert.Equal(["cloudflare-dns.com", "dns.quad9.net", "8.8.8.8"], options.Upstreams.Select(options.Tls.ServerNameFor));
    }

    // The README's DoH forms: https://9.9.9.9 with the default /dns-query path, tls_servername naming the certificate.
    [Theory]
    [InlineData("forward . https://9.9.9.9", "9.9.9.9:443", "/dns-query", "https://9.9.9.9:443/dns-query")]
    [InlineData("forward . https://9.9.9.9 {\n tls_servername dns.quad9.net\n}", "9.9.9.9:443", "/dns-query", "https://dns.quad9.net:443/dns-query")]
    [InlineData("forward . https://127.0.0.1:8443/resolve", "127.0.0.1:8443", "/resolve", "https://127.0.0.1:8443/resolve")]
    [InlineData("forward . HTTPS://[2001:db8::1]:8443/dns-query", "[2001:db8::1]:8443", "/dns-query", "https://[2001:db8::1]:8443/dns-query")]
    public void Dns_over_https_upstreams(string text, string endPoint, string path, string url)
    {
        var options = Parse(text);

        var upstream = Assert.Single(options.Upstreams);
        Assert.True(upstream.Https);
        Assert.False(upstream.Tls);
        Assert.Equal(IPEndPoint.Parse(endPoint), upstream.EndPoint);
        Assert.Equal(path, upstream.HttpsPath);
        Assert.Equal(url, upstream.HttpsUrl(options.Tls.ServerNameFor(upstream)));
        Assert.Equal("https", upstream.Protocol);
    }

    [Theory]
    [InlineData("forward . https://dns.example/dns-query", "https://dns.example:443/dns-query")]
    [InlineData("forward . https://dns.example:8443", "https://dns.example:8443/dns-query")]
    public void Dns_over_https_by_host_name_resolves_and_names_the_host(string text, string expected)
    {
        var options = Parse(text);

        var host = Assert.Single(options.Hostnames);
        Assert.Equal(expected, host.ToString());
        Assert.Empty(options.Upstreams);
        var resolved = host.At(IPAddress.Parse("192.0.2.53"));
        Assert.True(resolved.Https);
        Assert.Equal("dns.example", options.Tls.ServerNameFor(resolved));
        Assert.Equal(expected, resolved.HttpsUrl(options.Tls.ServerNameFor(resolved)));
        Assert.Equal("192.0.2.53", resolved.EndPoint.Address.ToString());
    }

    [Theory]
    [InlineData("forward . https://9.9.9.9", "Post")]
    [InlineData("forward . https://9.9.9.9 {\n doh_method GET\n}", "Get")]
    [InlineData("forward . https://9.9.9.9 {\n doh_method post\n}", "Post")]
    public void Doh_method(string text, string expected)
    {
        Assert.Equal(expected, Parse(text).DohMethod.ToString());
    }

    [Theory]
    [InlineData("forward . tls://9.9.9.9%dns.quad9.net {\n tls_servername dns.quad9.net\n}", ":3:", "cannot be used with a per-upstream server name")]
    [InlineData("forward . tls://9.9.9.9%", ":2:", "no valid server name")]
    [InlineData("forward . tls://9.9.9.9%:853", ":2:", "no valid server name")]
    [InlineData("forward . tls://dns.example%dns.example", ":2:", "takes an IP address before the %")]
    [InlineData("forward . https://", ":2:", "is not a DNS over HTTPS upstream")]
    [InlineData("forward . https://9.9.9.9/dns-query?dns=x", ":2:", "not a URL path")]
    [InlineData("forward . https://9.9.9.9:0", ":2:", "is not a DNS over HTTPS upstream")]
    [InlineData("forward . https://9.9.9.9 {\n doh_method PUT\n}", ":3:", "unknown doh_method 'PUT'")]
    [InlineData("forward . https://9.9.9.9 {\n tls_servername bad/name\n}", ":3:", "is not a host name")]
    [InlineData("forward . https://dns.example {\n tls_servername a:b:c\n}", ":3:", "is not a host name")]
    [InlineData("forward . https://9.9.9.9 {\n doh_method\n}", ":3:", "expects exactly 1 argument")]
    public void Bad_input_is_an_error_at_its_line(string text, string line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse(text));

        Assert.Contains(line, error.Message);
        Assert.Contains(reason, error.Message);
    }
}
