using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// The DNS over HTTPS side of one <c>https://</c> upstream (RFC 8484): a SocketsHttpHandler of its own that always
/// connects to the upstream's configured address (the URL's host is only the name for SNI, certificate and Host
/// header), keeps its connections for <see cref="ForwardOptions.Expire"/> idle (at most
/// <see cref="ForwardOptions.MaxAge"/> old), and speaks HTTP/2, many queries multiplexed on one connection, or
/// HTTP/1.1 when the server offers only that.
/// </summary>
internal sealed class DohClient : IDisposable
{
    private const string MessageType = "application/dns-message";
    private const int MaxMessage = 65535;

    private readonly HttpMessageInvoker _http;
    private readonly string _url;
    private readonly Uri _uri;
    private readonly DohMethod _method;

    /// <param name="address">The upstream (its <see cref="UpstreamAddress.HttpsPath"/> is set).</param>
    /// <param name="options">forward's options: TLS, <c>doh_method</c>, <c>expire</c>, <c>max_age</c>.</param>
    /// <param name="connecting">Called with each new socket before it connects (binds <c>source_address</c>, counts the connection).</param>
    public DohClient(UpstreamAddress address, ForwardOptions options, Action<Socket> connecting)
    {
        var endPoint = address.EndPoint;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellation) =>
            {
                var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    connecting(socket);
                    await socket.ConnectAsync(endPoint, cancellation).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = options.Tls.Create(address),
            // expire 0 keeps nothing idle, as for TCP and TLS.
            PooledConnectionIdleTimeout = options.Expire > TimeSpan.Zero ? options.Expire : TimeSpan.FromMilliseconds(1),
            PooledConnectionLifetime = options.MaxAge > TimeSpan.Zero ? options.MaxAge : Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
            // A DNS upstream is reached directly: no HTTP proxy from the environment, no cookies, no redirects.
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxResponseHeadersLength = 16,
        };
        _http = new HttpMessageInvoker(handler, disposeHandler: true);
        _url = address.HttpsUrl(options.Tls.ServerNameFor(address));
        // Setup checked the parts (an IP or host name, a URL path), so this parses; done once, not per query.
        _uri = new Uri(_url, UriKind.Absolute);
        _method = options.DohMethod;
    }

    /// <summary>The URL queries go to (the host is the verified server name).</summary>
    public string Url => _url;

    /// <summary>
    /// Sends <paramref name="query"/> and reads the reply's body into <paramref name="reply"/>; returns its length.
    /// A status other than 2xx, another content type or a body over 65,535 bytes is an <see cref="InvalidDataException"/>.
    /// </summary>
    public async ValueTask<int> ExchangeAsync(ReadOnlyMemory<byte> query, byte[] reply, CancellationToken cancellation)
    {
        using var request = _method == DohMethod.Get
            ? new HttpRequestMessage(HttpMethod.Get, _url + "?dns=" + Base64Url.EncodeToString(query.Span))
            : new HttpRequestMessage(HttpMethod.Post, _uri) { Content = new ReadOnlyMemoryContent(query) };
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        request.Headers.TryAddWithoutValidation("Accept", MessageType);
        if (request.Content is not null)
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(MessageType);
        }

        using var response = await _http.SendAsync(request, cancellation).ConfigureAwait(false);
        // RFC 8484 section 4.2.1: any DNS reply, whatever its RCODE, comes with a 2xx status.
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidDataException($"HTTP status {(int)response.StatusCode}");
        }
        if (!string.Equals(response.Content.Headers.ContentType?.MediaType, MessageType, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"content type '{response.Content.Headers.ContentType}' is not {MessageType}");
        }
        if (response.Content.Headers.ContentLength is > MaxMessage)
        {
            throw new InvalidDataException($"a body of {response.Content.Headers.ContentLength} bytes is larger than a DNS message");
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        var buffer = reply.AsMemory(0, Math.Min(reply.Length, MaxMessage));
        int total = 0;
        while (true)
        {
            int read = await body.ReadAsync(buffer[total..], cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                return total;
            }
            total += read;
            if (total == buffer.Length)
            {
                // Full: anything more makes the body too long to be a DNS message.
                var extra = new byte[1];
                if (await body.ReadAsync(extra, cancellation).ConfigureAwait(false) > 0)
                {
                    throw new InvalidDataException("the body is larger than a DNS message");
                }
                return total;
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
