using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Listeners;
using ClusterDns.Server.Plugins.Tls;
using ClusterDns.Server.Tests.Http;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Listeners;

/// <summary>
/// DNS over TLS (RFC 7858) against the real server in-process: real TLS clients (SslStream, kdig, dig), the same
/// handler chain as the plain block, pipelining, client certificates, a stalled handshake, certificate rotation.
/// </summary>
public sealed class DotListenerTests : IDisposable
{
    private const string Zone = """
        $ORIGIN example.org.
        $TTL 3600
        @    IN SOA ns1.example.org. hostmaster.example.org. 1 7200 1800 1209600 300
             IN NS  ns1
        ns1  IN A   192.0.2.53
        www  60 IN A 192.0.2.10
        """;

    private readonly TlsTestFiles _certificates = new();

    public void Dispose() => _certificates.Dispose();

    private Task<CorefileServer> StartAsync(string tlsBlock = "tls cert.pem key.pem", string timeouts = "", int plainPort = 0) =>
        CorefileServer.StartAsync($$"""
            tls://example.org:{PORT} {
                bind 127.0.0.1
                {{tlsBlock}}
                {{timeouts}}
                file example.org.zone
            }
            example.org:{{(plainPort == 0 ? FreePorts.Loopback() : plainPort)}} {
                bind 127.0.0.1
                file example.org.zone
            }
            """, _certificates.Files(new Dictionary<string, string> { ["example.org.zone"] = Zone }));

    [Fact]
    public async Task A_tls_block_answers_as_the_plain_block_does()
    {
        await using var server = await StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var client = await DotClient.ConnectAsync(server.Port, _certificates.Authority.Certificate, cancellationToken: timeout.Token);

        var answer = await client.QueryAsync("www.example.org", RecordType.A, timeout.Token);

        Assert.Equal(ResponseCode.NoError, answer.Rcode);
        Assert.EndsWith("192.0.2.10", Assert.Single(answer.Answers).ToString());
        Assert.Equal("dot", client.Stream.NegotiatedApplicationProtocol.ToString());
        Assert.True(client.Stream.SslProtocol >= System.Security.Authentication.SslProtocols.Tls12);
        Assert.Single(server.Server.Listeners, l => l.Protocol == "tls");
    }

    [Fact]
    public async Task Queries_written_back_to_back_are_all_answered_on_one_connection()
    {
        await using var server = await StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var client = await DotClient.ConnectAsync(server.Port, _certificates.Authority.Certificate, cancellationToken: timeout.Token);
        var queries = new[] { ("www.example.org", RecordType.A), ("example.org", RecordType.NS), ("missing.example.org", RecordType.A) }
            .Select(q => DnsTestClient.BuildQuery(q.Item1, q.Item2)).ToArray();

        foreach (var query in queries)
        {
            await client.SendAsync(query, timeout.Token);
        }
        var ids = new List<ushort>();
        for (int i = 0; i < queries.Length; i++)
        {
            ids.Add((await client.ReceiveAsync(timeout.Token))!.Header.Id);
        }

        Assert.Equal(queries.Select(q => (ushort)(q[0] << 8 | q[1])).Order(), ids.Order());
    }

    [Theory]
    [InlineData("kdig", "@127.0.0.1 -p {0} +tls +short www.example.org A")]
    [InlineData("dig", "@127.0.0.1 -p {0} +tls +short +time=3 +tries=1 www.example.org A")]
    public async Task Real_dot_clients_get_the_answer(string program, string arguments)
    {
        await using var server = await StartAsync();

        var result = await ProcessRunner.RunAsync(program, string.Format(System.Globalization.CultureInfo.InvariantCulture, arguments, server.Port));

        Assert.Equal("192.0.2.10", result.Output.Trim());
    }

    [Fact]
    public async Task Require_and_verify_refuses_a_client_without_a_certificate_and_answers_one_with_it()
    {
        await using var server = await StartAsync("tls cert.pem key.pem ca.pem {\n client_auth require_and_verify\n}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // TLS 1.3 lets the client finish before the server judges its certificate: the refusal shows on the first exchange.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var anonymous = await DotClient.ConnectAsync(server.Port, _certificates.Authority.Certificate, cancellationToken: timeout.Token);
            _ = await anonymous.QueryAsync("www.example.org", RecordType.A, timeout.Token);
        });
        await using var trusted = await DotClient.ConnectAsync(server.Port, _certificates.Authority.Certificate, _certificates.Client.Certificate, timeout.Token);

        Assert.Equal(ResponseCode.NoError, (await trusted.QueryAsync("www.example.org", RecordType.A, timeout.Token)).Rcode);
        Assert.Equal(1, server.Server.Listeners.OfType<TcpDnsListener>().Single(l => l.Protocol == "tls").HandshakeFailures);
    }

    [Fact]
    public async Task A_client_that_stalls_in_the_handshake_is_closed_after_the_read_timeout_while_plain_dns_answers()
    {
        int plainPort = FreePorts.Loopback();
        await using var server = await StartAsync(timeouts: "timeouts {\n read 1s\n}", plainPort: plainPort);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await stalled.ConnectAsync(IPAddress.Loopback, server.Port, timeout.Token);

        var plain = await DnsTestClient.QueryUdpAsync(new IPEndPoint(IPAddress.Loopback, plainPort), "www.example.org", RecordType.A);
        bool closed = await ClosedByServerAsync(stalled, timeout.Token);

        Assert.Equal(ResponseCode.NoError, plain.Rcode);
        Assert.True(closed);
        var listener = server.Server.Listeners.OfType<TcpDnsListener>().Single(l => l.Protocol == "tls");
        Assert.Equal(1, listener.HandshakeFailures);
    }

    [Fact]
    public async Task A_rotated_certificate_serves_new_connections_and_a_broken_one_leaves_the_last_good_serving()
    {
        await using var server = await StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var credentials = server.Pipeline.Components.OfType<TlsCredentials>().Single();
        await using var before = await DotClient.ConnectAsync(server.Port, _certificates.Authority.Certificate, cancellationToken: timeout.Token);
        var rotated = _certificates.Authority.IssueServer();

        // As cert-manager does: the files change under the running server; the periodic check notices.
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "cert.pem"), rotated.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "key.pem"), rotated.PrivateKeyPem);
        Assert.True(credentials.CheckNow());
        await using var after = await DotClient.ConnectAsync(server.Port, _certificates.Authority.Certificate, cancellationToken: timeout.Token);

        Assert.Equal(_certificates.Server.Certificate.Thumbprint, before.ServerCertificate.Thumbprint);
        Assert.Equal(rotated.Certificate.Thumbprint, after.ServerCertificate.Thumbprint);
        Assert.Equal(ResponseCode.NoError, (await before.QueryAsync("www.example.org", RecordType.A, timeout.Token)).Rcode);
        Assert.Equal(1, credentials.Reloads);

        await File.WriteAllTextAsync(Path.Combine(server.Directory, "key.pem"), _certificates.OtherKeyPem);
        Assert.False(credentials.CheckNow());
        Assert.False(credentials.CheckNow());
        await using var meanwhile = await DotClient.ConnectAsync(server.Port, _certificates.Authority.Certificate, cancellationToken: timeout.Token);

        Assert.Equal(rotated.Certificate.Thumbprint, meanwhile.ServerCertificate.Thumbprint);
        Assert.Equal(1, credentials.FailedReloads);
        Assert.Equal(ResponseCode.NoError, (await meanwhile.QueryAsync("www.example.org", RecordType.A, timeout.Token)).Rcode);
    }

    /// <summary>Waits for the server to end the connection: an orderly close or a reset, but no bytes.</summary>
    private static async Task<bool> ClosedByServerAsync(Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            return await socket.ReceiveAsync(new byte[16], SocketFlags.None, cancellationToken) == 0;
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }
}
