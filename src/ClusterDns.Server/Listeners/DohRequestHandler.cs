using System.Buffers.Text;
using System.Globalization;
using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using Microsoft.AspNetCore.Http;

namespace ClusterDns.Server.Listeners;

/// <summary>
/// One RFC 8484 request: the DNS message (POST body, or the GET <c>dns</c> parameter decoded from base64url) goes
/// straight into a pooled query context, the port's processor answers it in place, and the answer's bytes are the
/// response body. Statuses as CoreDNS gives them: 404 off <c>/dns-query</c>, 400 for what is not a DNS query,
/// 415 for another media type, 413 for a body over 65535 bytes, 500 when the chain wrote nothing.
/// </summary>
internal sealed class DohRequestHandler
{
    public const string Path = "/dns-query";
    public const string MediaType = "application/dns-message";

    private static readonly int s_maxEncodedLength = Base64Url.GetEncodedLength(DnsQueryContext.BufferSize);
    private static readonly string?[] s_cacheControl = new string?[DohCacheLifetime.Maximum + 1];

    private readonly QueryProcessor _processor;
    private readonly QueryContextPool _pool;
    private readonly ITransportObserver? _observer;
    private IPEndPoint _local = new(IPAddress.Any, 0);

    public DohRequestHandler(QueryProcessor processor, QueryContextPool pool, ITransportObserver? observer)
    {
        _processor = processor;
        _pool = pool;
        _observer = observer;
    }

    public void Bind(IPEndPoint local) => _local = local;

    public async Task HandleAsync(HttpContext http)
    {
        int status;
        try
        {
            status = await ServeAsync(http).ConfigureAwait(false);
        }
        catch (BadHttpRequestException exception)
        {
            // Kestrel's own bounds (a body over the limit, a body that stalls): its status, nothing written yet.
            status = Reject(http, exception.StatusCode);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // The client went away mid-request: nothing answered, nothing counted.
            return;
        }
        _observer?.OnHttpsResponse(_local.Port, status);
    }

    private async Task<int> ServeAsync(HttpContext http)
    {
        var request = http.Request;
        if (!string.Equals(request.Path.Value, Path, StringComparison.Ordinal))
        {
            return Reject(http, StatusCodes.Status404NotFound);
        }
        var context = _pool.Rent();
        try
        {
            int length;
            if (HttpMethods.IsGet(request.Method))
            {
                length = ReadGet(request, context.Buffer);
            }
            else if (HttpMethods.IsPost(request.Method))
            {
                if (!IsDnsMessage(request.ContentType))
                {
                    return Reject(http, StatusCodes.Status415UnsupportedMediaType);
                }
                if (request.ContentLength > DnsQueryContext.BufferSize)
                {
                    return Reject(http, StatusCodes.Status413PayloadTooLarge);
                }
                length = await ReadBodyAsync(request.Body, context.Buffer, http.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                http.Response.Headers.Allow = "GET, POST";
                return Reject(http, StatusCodes.Status405MethodNotAllowed);
            }
            if (length < 0)
            {
                return Reject(http, -length);
            }
            if (length < DnsHeader.Size)
            {
                return Reject(http, StatusCodes.Status400BadRequest);
            }
            context.Reset(length, TransportKind.Tcp);
            // Not a DNS query at all (no header, a response, a question that does not read): HTTP's answer, not DNS's.
            if (context.Verdict is QueryVerdict.Drop or QueryVerdict.FormErr)
            {
                return Reject(http, StatusCodes.Status400BadRequest);
            }
            var peer = new IPEndPoint(http.Connection.RemoteIpAddress ?? IPAddress.IPv6None, http.Connection.RemotePort);
            context.RemoteAddress = peer.Serialize();
            context.LocalPort = _local.Port;
            context.LocalAddress = _local.Address;
            await _processor.ProcessAsync(context).ConfigureAwait(false);
            if (context.ResponseLength == 0)
            {
                return Reject(http, StatusCodes.Status500InternalServerError);
            }
            var response = http.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = MediaType;
            response.Headers.CacheControl = CacheControl(DohCacheLifetime.Seconds(context.Response));
            response.ContentLength = context.ResponseLength;
            await response.Body.WriteAsync(context.Buffer.AsMemory(0, context.ResponseLength), http.RequestAborted).ConfigureAwait(false);
            return StatusCodes.Status200OK;
        }
        finally
        {
            _pool.Return(context);
        }
    }

    /// <summary>The GET <c>dns</c> parameter decoded into <paramref name="buffer"/>: its length, or minus the HTTP status.</summary>
    private static int ReadGet(HttpRequest request, byte[] buffer)
    {
        var values = request.Query["dns"];
        if (values.Count != 1 || values[0] is not { Length: > 0 } encoded)
        {
            return -StatusCodes.Status400BadRequest;
        }
        if (encoded.Length > s_maxEncodedLength)
        {
            return -StatusCodes.Status414UriTooLong;
        }
        // RFC 8484 section 6: base64url without padding; padding is tolerated as other servers do. The Try only
        // covers the destination's size: a character outside the alphabet is a FormatException.
        var text = encoded.AsSpan().TrimEnd('=');
        if (!Base64Url.IsValid(text))
        {
            return -StatusCodes.Status400BadRequest;
        }
        return Base64Url.TryDecodeFromChars(text, buffer, out int written) ? written : -StatusCodes.Status400BadRequest;
    }

    /// <summary>The POST body read into <paramref name="buffer"/>: its length, or minus the HTTP status.</summary>
    private static async ValueTask<int> ReadBodyAsync(Stream body, byte[] buffer, CancellationToken aborted)
    {
        int total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                // Full: one more byte means the body is over a DNS message's size (Kestrel refuses it too).
                return await body.ReadAsync(new byte[1], aborted).ConfigureAwait(false) == 0 ? total : -StatusCodes.Status413PayloadTooLarge;
            }
            int read = await body.ReadAsync(buffer.AsMemory(total), aborted).ConfigureAwait(false);
            if (read == 0)
            {
                return total == 0 ? -StatusCodes.Status400BadRequest : total;
            }
            total += read;
        }
    }

    private static bool IsDnsMessage(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }
        int parameters = contentType.IndexOf(';', StringComparison.Ordinal);
        var media = (parameters < 0 ? contentType.AsSpan() : contentType.AsSpan(0, parameters)).Trim();
        return media.Equals(MediaType, StringComparison.OrdinalIgnoreCase);
    }

    private static int Reject(HttpContext http, int status)
    {
        if (!http.Response.HasStarted)
        {
            http.Response.StatusCode = status;
            http.Response.ContentLength = 0;
        }
        return status;
    }

    /// <summary>"max-age=N" in whole seconds (RFC 9111 delta-seconds), one string per N, made once.</summary>
    private static string CacheControl(int seconds) =>
        s_cacheControl[seconds] ??= "max-age=" + seconds.ToString(CultureInfo.InvariantCulture);
}
