using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ClusterDns.Protocol;
using ClusterDns.Testing.Oracles;

namespace ClusterDns.Server.Tests.Support;

/// <summary>
/// A DNS-over-TLS client over a real socket: TLS via SslStream trusting only the test CA, then RFC 7766 framing.
/// Several queries may be written before any answer is read (pipelining).
/// </summary>
internal sealed class DotClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;

    private DotClient(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
    }

    public SslStream Stream => _tls;

    public X509Certificate2 ServerCertificate => new(_tls.RemoteCertificate!);

    public static async Task<DotClient> ConnectAsync(int port, X509Certificate2 authority, X509Certificate2? clientCertificate = null, CancellationToken cancellationToken = default)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ApplicationProtocols = [new SslApplicationProtocol("dot")],
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && Chains(new X509Certificate2(certificate), authority),
            }, cancellationToken);
        }
        catch
        {
            await tls.DisposeAsync();
            tcp.Dispose();
            throw;
        }
        return new DotClient(tcp, tls);
    }

    public async Task SendAsync(byte[] query, CancellationToken cancellationToken)
    {
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await _tls.WriteAsync(framed, cancellationToken);
    }

    /// <summary>The next answer, or null when the server closed the connection.</summary>
    public async Task<DnsMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var length = new byte[2];
        try
        {
            await _tls.ReadExactlyAsync(length, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            return null;
        }
        var response = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        await _tls.ReadExactlyAsync(response, cancellationToken);
        return ResponseOracle.AssertParses(response);
    }

    public async Task<DnsMessage> QueryAsync(string name, RecordType type, CancellationToken cancellationToken)
    {
        await SendAsync(Http.DnsTestClient.BuildQuery(name, type), cancellationToken);
        return await ReceiveAsync(cancellationToken) ?? throw new InvalidOperationException("the server closed the connection");
    }

    private static bool Chains(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }
}
