using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using ClusterDns.Protocol;
using ClusterDns.Server.Tests.Http;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Network;

namespace ClusterDns.Server.Tests.Listeners;

/// <summary>
/// An HTTP/2 client that opens streams far beyond <c>max_streams</c> and gives the server no flow-control window to
/// answer into: the streams over the limit are refused (RST_STREAM REFUSED_STREAM or GOAWAY), while a well-behaved
/// DoH client and plain UDP keep getting answers. Raw frames over TLS (ALPN h2), because a real client obeys the limit.
/// </summary>
public sealed class DohStreamFloodTests : IDisposable
{
    private const string Zone = """
        $ORIGIN example.org.
        $TTL 3600
        @    IN SOA ns1.example.org. hostmaster.example.org. 1 7200 1800 1209600 300
             IN NS  ns1
        ns1  IN A   192.0.2.53
        www  60 IN A 192.0.2.10
        """;

    private const byte Headers = 0x1;
    private const byte RstStream = 0x3;
    private const byte Settings = 0x4;
    private const byte GoAway = 0x7;

    private readonly TlsTestFiles _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task Streams_over_max_streams_are_refused_and_other_clients_keep_being_answered()
    {
        int plainPort = FreePorts.Loopback();
        await using var server = await CorefileServer.StartAsync($$"""
            https://example.org:{PORT} {
                bind 127.0.0.1
                tls cert.pem key.pem
                https {
                    max_streams 4
                }
                file example.org.zone
            }
            example.org:{{plainPort}} {
                bind 127.0.0.1
                file example.org.zone
            }
            """, _certificates.Files(new Dictionary<string, string> { ["example.org.zone"] = Zone }));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port, timeout.Token);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, timeout.Token);
        Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);

        // Preface, then SETTINGS with INITIAL_WINDOW_SIZE 0: no stream may get a byte of body from the server.
        var opening = new List<byte>(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        opening.AddRange(Frame(Settings, 0, 0, [0x00, 0x04, 0, 0, 0, 0]));
        var path = "/dns-query?dns=" + Base64Url.EncodeToString(DnsTestClient.BuildQuery("www.example.org", RecordType.A));
        // Two streams within the limit first: their response HEADERS show the frames are well formed, and with no
        // window their bodies stay pending, so both streams stay open.
        opening.AddRange(Frame(Headers, 0x5, 1, HeaderBlock(path)));
        opening.AddRange(Frame(Headers, 0x5, 3, HeaderBlock(path)));
        await tls.WriteAsync(opening.ToArray(), timeout.Token);
        Assert.Equal(Headers, await ReadUntilAsync(tls, Headers, timeout.Token));

        var flood = new List<byte>();
        for (int stream = 5; stream <= 2 * 200; stream += 2)
        {
            flood.AddRange(Frame(Headers, 0x5, stream, HeaderBlock(path)));
        }
        await tls.WriteAsync(flood.ToArray(), timeout.Token);

        // Refused stream by stream, or the whole connection ended (GOAWAY, close or reset): bounded either way.
        var refusal = await ReadUntilAsync(tls, RstStream, timeout.Token);
        Assert.True(refusal is RstStream or GoAway or Closed, $"frame type {refusal}");

        var plain = await DnsTestClient.QueryUdpAsync(new IPEndPoint(IPAddress.Loopback, plainPort), "www.example.org", RecordType.A);
        Assert.Equal(ResponseCode.NoError, plain.Rcode);
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
        { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var content = new ByteArrayContent(DnsTestClient.BuildQuery("www.example.org", RecordType.A));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/dns-message");
        using var response = await client.PostAsync(new Uri($"https://127.0.0.1:{server.Port}/dns-query"), content, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private const byte Closed = 0xFF;

    /// <summary>Reads frames until one of type <paramref name="wanted"/> or a GOAWAY arrives, or the connection ends (<see cref="Closed"/>).</summary>
    private static async Task<byte> ReadUntilAsync(Stream stream, byte wanted, CancellationToken cancellationToken)
    {
        var header = new byte[9];
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(header, cancellationToken);
                int length = header[0] << 16 | header[1] << 8 | header[2];
                byte type = header[3];
                if (type == wanted || type == GoAway)
                {
                    return type;
                }
                await stream.ReadExactlyAsync(new byte[length], cancellationToken);
            }
        }
        catch (Exception exception) when (exception is IOException or EndOfStreamException)
        {
            return Closed;
        }
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }

    /// <summary>HPACK without Huffman or the dynamic table: :method GET, :scheme https (indexed), :path and :authority as literals.</summary>
    private static byte[] HeaderBlock(string path)
    {
        var block = new List<byte> { 0x82, 0x87 };
        Literal(block, 0x04, path);
        Literal(block, 0x01, "localhost");
        return block.ToArray();

        static void Literal(List<byte> block, byte nameIndex, string value)
        {
            // Literal without indexing, indexed name (4-bit prefix); value length fits the 7-bit prefix here.
            block.Add(nameIndex);
            block.Add((byte)value.Length);
            block.AddRange(Encoding.ASCII.GetBytes(value));
        }
    }
}
