using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// One query in flight and the buffer its answer is written into (in place, after the question).
/// Contexts are pooled by the listeners and reused, so answering allocates nothing.
/// </summary>
public sealed class DnsQueryContext
{
    /// <summary>Large enough for any TCP message.</summary>
    public const int BufferSize = 65535;

    private readonly byte[] _nameBuffer = new byte[WireName.MaxLength + 1];
    private IPEndPoint? _remoteEndPoint;
    private byte[]? _responseOptions;

    public DnsQueryContext()
    {
        Buffer = new byte[BufferSize];
        RemoteAddress = new SocketAddress(AddressFamily.InterNetworkV6);
    }

    /// <summary>The request as received; the response is written over it.</summary>
    public byte[] Buffer { get; }

    public int RequestLength { get; set; }

    public ParsedQuery Query;

    public QueryVerdict Verdict { get; private set; }

    public TransportKind Transport { get; set; }

    /// <summary>The client's address as the socket gave it (no allocation on UDP).</summary>
    public SocketAddress RemoteAddress { get; set; }

    /// <summary>The server's port for this query (metrics label, whoami).</summary>
    public int LocalPort { get; set; }

    /// <summary>The address the listener is bound to (the wildcard address when it listens everywhere).</summary>
    public IPAddress? LocalAddress { get; set; }

    /// <summary>The server block answering this query, once routed.</summary>
    public ServerBlockRuntime? Block { get; set; }

    /// <summary>The largest response this client accepts over this transport.</summary>
    public int MaxResponseSize { get; private set; }

    /// <summary>Length of the response written into <see cref="Buffer"/>; 0 means no response.</summary>
    public int ResponseLength { get; private set; }

    /// <summary>The plugin that wrote the response (metrics' <c>plugin</c> label); empty for the server itself.</summary>
    public string WrittenBy { get; set; } = string.Empty;

    /// <summary>Set by handlers that want their answers not cached (the cluster zone).</summary>
    public bool DoNotCache { get; set; }

    public long StartTimestamp { get; set; }

    /// <summary>The connection, for answers of several messages (zone transfers); null over UDP. Set by the listener after <see cref="Reset"/>.</summary>
    public IResponseStream? ResponseStream { get; set; }

    /// <summary>The question name, lower-cased, uncompressed wire form.</summary>
    public ReadOnlySpan<byte> LowerName => _nameBuffer.AsSpan(0, Query.NameLength);

    /// <summary>The question name with the client's case, as it sits in the request at offset 12.</summary>
    public ReadOnlySpan<byte> QuestionName => Buffer.AsSpan(DnsHeader.Size, Query.NameLength);

    public ReadOnlySpan<byte> Request => Buffer.AsSpan(0, RequestLength);

    public ReadOnlySpan<byte> Response => Buffer.AsSpan(0, ResponseLength);

    public RecordType QuestionType => Query.Type;

    /// <summary>The client's endpoint as an object (allocates once per query that asks: logs, whoami, acl).</summary>
    public IPEndPoint RemoteEndPoint
    {
        get
        {
            if (_remoteEndPoint is null)
            {
                var family = RemoteAddress.Family;
                var template = family == AddressFamily.InterNetwork ? new IPEndPoint(IPAddress.Any, 0) : new IPEndPoint(IPAddress.IPv6Any, 0);
                _remoteEndPoint = (IPEndPoint)template.Create(RemoteAddress);
            }
            return _remoteEndPoint;
        }
    }

    /// <summary>Prepares the context for a new request of <paramref name="length"/> bytes in <see cref="Buffer"/>.</summary>
    public void Reset(int length, TransportKind transport)
    {
        RequestLength = length;
        Transport = transport;
        ResponseLength = 0;
        Block = null;
        WrittenBy = string.Empty;
        DoNotCache = false;
        ResponseStream = null;
        _remoteEndPoint = null;
        _responseOptions = null;
        Query = default;
        Verdict = QueryParser.Parse(Request, _nameBuffer, out Query);
        MaxResponseSize = ComputeMaxResponseSize(transport, Query.Edns, MaxUdpSize);
    }

    /// <summary>
    /// Replaces the request with <paramref name="request"/> (rewrite's changed question, or the original put back)
    /// and parses it again; routing, transport and the response size limit stay as they were.
    /// </summary>
    public void ReplaceRequest(ReadOnlySpan<byte> request)
    {
        request.CopyTo(Buffer);
        RequestLength = request.Length;
        ResponseLength = 0;
        Verdict = QueryParser.Parse(Request, _nameBuffer, out Query);
    }

    /// <summary>The configured cap on UDP answers to EDNS clients (default 1232, the DNS flag day 2020 value).</summary>
    public int MaxUdpSize { get; set; } = 1232;

    private static int ComputeMaxResponseSize(TransportKind transport, EdnsInfo edns, int maxUdpSize)
    {
        if (transport == TransportKind.Tcp)
        {
            return BufferSize;
        }
        return edns.IsPresent ? Math.Min(edns.EffectiveUdpSize, Math.Max(512, maxUdpSize)) : 512;
    }

    /// <summary>
    /// Starts a response in place: the question stays, the sections after it are written by the handler.
    /// Space for our OPT record is held back so it always fits.
    /// </summary>
    public MessageWriter BeginResponse()
    {
        var writer = new MessageWriter(Buffer, MaxResponseSize - (Query.Edns.IsPresent ? OptRecordSize + ResponseOptions.Length : 0));
        writer.ContinueAfterQuestion(Query.QuestionEnd);
        return writer;
    }

    /// <summary>Size of the OPT record we send: root owner, fixed part, no options.</summary>
    public const int OptRecordSize = 11;

    /// <summary>EDNS options (wire form) for our OPT record, set before the response is begun (nsid); none by default.</summary>
    public ReadOnlySpan<byte> ResponseOptions => _responseOptions;

    /// <summary>Adds pre-encoded options to every response this query gets (the array is shared, not copied).</summary>
    public void SetResponseOptions(byte[] options) => _responseOptions = options;

    /// <summary>Finishes a response that <see cref="BeginResponse"/> started.</summary>
    public void CompleteResponse(ref MessageWriter writer, ResponseCode rcode, bool authoritative, bool truncated) =>
        CompleteResponse(ref writer, rcode, authoritative, truncated, default);

    /// <summary>As above, with EDNS options (e.g. RFC 8914 extended errors) in our OPT; the caller keeps room for them below the limit.</summary>
    public void CompleteResponse(ref MessageWriter writer, ResponseCode rcode, bool authoritative, bool truncated, scoped ReadOnlySpan<byte> ednsOptions)
    {
        if (Query.Edns.IsPresent)
        {
            writer.Limit = MaxResponseSize;
            // Our own options (nsid) come first, then the caller's (an extended error); if both do not fit, ours alone.
            ReadOnlySpan<byte> ours = ResponseOptions;
            if (ednsOptions.IsEmpty)
            {
                writer.TryWriteOpt(EdnsPayloadSize, (byte)((int)rcode >> 4), 0, Query.Edns.DnssecOk, ours);
            }
            else
            {
                Span<byte> both = stackalloc byte[ours.Length + ednsOptions.Length];
                ours.CopyTo(both);
                ednsOptions.CopyTo(both[ours.Length..]);
                if (!writer.TryWriteOpt(EdnsPayloadSize, (byte)((int)rcode >> 4), 0, Query.Edns.DnssecOk, both))
                {
                    writer.TryWriteOpt(EdnsPayloadSize, (byte)((int)rcode >> 4), 0, Query.Edns.DnssecOk, ours);
                }
            }
        }
        var header = Query.Header;
        header.IsResponse = true;
        header.AuthoritativeAnswer = authoritative;
        header.Truncated = truncated;
        // CoreDNS sets RA on no answer it writes itself (kubernetes, file, hosts, errors); forwarded and cached
        // answers get it from ResponseCopier.
        header.RecursionAvailable = false;
        header.AuthenticData = false;
        header.Z = false;
        header.Rcode = (byte)((int)rcode & 0xF);
        header.QuestionCount = 1;
        writer.WriteHeader(header);
        ResponseLength = writer.Position;
    }

    /// <summary>The UDP payload size we advertise in our OPT record.</summary>
    public ushort EdnsPayloadSize => (ushort)Math.Max(512, MaxUdpSize);

    /// <summary>Writes a response with no records: an error, or a handler's bare RCODE.</summary>
    public void WriteBareResponse(ResponseCode rcode)
    {
        if (Verdict == QueryVerdict.Accept || (Query.QuestionEnd > 0 && Query.NameLength > 0))
        {
            var writer = BeginResponse();
            CompleteResponse(ref writer, rcode, authoritative: false, truncated: false);
            return;
        }
        WriteHeaderOnlyResponse(rcode);
    }

    /// <summary>
    /// FORMERR/NOTIMP/BADVERS for a request whose question cannot be echoed: header only, RD kept, other flags
    /// cleared (plus our OPT when the client's was readable).
    /// </summary>
    public void WriteHeaderOnlyResponse(ResponseCode rcode)
    {
        var writer = new MessageWriter(Buffer, MaxResponseSize);
        if (Query.Edns.IsPresent)
        {
            writer.TryWriteOpt(EdnsPayloadSize, (byte)((int)rcode >> 4), 0, false, default);
        }
        var request = Query.Header;
        var header = new DnsHeader
        {
            Id = request.Id,
            IsResponse = true,
            Opcode = request.Opcode,
            RecursionDesired = request.RecursionDesired,
            Rcode = (byte)((int)rcode & 0xF),
        };
        writer.WriteHeader(header);
        ResponseLength = writer.Position;
    }

    /// <summary>
    /// The metadata <paramref name="label"/> of this query (<c>plugin/name</c>), from the answering block's providers;
    /// null when the block has no <c>metadata</c> plugin, the label is unknown, or the value is empty.
    /// </summary>
    public string? GetMetadata(string label) => Block?.Metadata?.Get(this, label);

    /// <summary>Cuts the written response to <paramref name="length"/> bytes (minimal's trimmed sections); never grows it.</summary>
    internal void ShrinkResponse(int length) => ResponseLength = Math.Min(ResponseLength, Math.Max(0, length));

    /// <summary>Drops any response (used when a handler fails midway).</summary>
    public void ClearResponse() => ResponseLength = 0;
}
