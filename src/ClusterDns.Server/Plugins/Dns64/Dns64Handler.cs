using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Dns64;

/// <summary>
/// CoreDNS's dns64 (RFC 6147): an AAAA question from an IPv6 client (any client with <c>allow_ipv4</c>) goes
/// down the chain; when the answer has no AAAA record (NODATA, or any error but NXDOMAIN), or always with
/// <c>translate_all</c>, the same name is asked for A through the rest of this block's chain and the A records
/// come back as AAAA records inside the prefix. Every other query passes straight on, allocating nothing.
/// </summary>
internal sealed class Dns64Handler : DnsHandler
{
    /// <summary>Contexts for the A lookups (64 KiB each); the synthesis path is the slow path anyway.</summary>
    private static readonly QueryContextPool Lookups = new(maxUdpSize: 1232, maxRetained: 64);

    private readonly Dns64Options _options;
    private readonly Dns64Metrics _metrics;

    public Dns64Handler(Dns64Options options, Dns64Metrics metrics)
    {
        _options = options;
        _metrics = metrics;
    }

    public override string Name => "dns64";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        if (!ShouldIntercept(context))
        {
            return NextAsync(context);
        }
        var pending = NextAsync(context);
        if (!pending.IsCompletedSuccessfully)
        {
            return SynthesizeWhenAnsweredAsync(context, pending);
        }
        var result = pending.Result;
        return NeedsSynthesis(context, result, out var original)
            ? SynthesizeAsync(context, result, original)
            : new ValueTask<HandlerResult>(result);
    }

    /// <summary>RFC 6147 section 5.1: only AAAA questions of class IN; CoreDNS adds "only from IPv6 clients" unless allow_ipv4.</summary>
    private bool ShouldIntercept(DnsQueryContext context)
    {
        if (context.QuestionType != RecordType.AAAA || context.Query.Class != RecordClass.IN)
        {
            return false;
        }
        if (!_options.AllowIpv4 && IsIPv4Client(context.RemoteAddress))
        {
            return false;
        }
        // RFC 6147 section 5.5: a validating client (DO and CD) must get the real answer, not one it cannot verify.
        return !(context.Query.Edns.DnssecOk && context.Query.Header.CheckingDisabled);
    }

    /// <summary>An IPv4 socket address, or ::ffff:a.b.c.d from a dual-stack socket (as Go's To4 counts it).</summary>
    internal static bool IsIPv4Client(SocketAddress address)
    {
        if (address.Family == AddressFamily.InterNetwork)
        {
            return true;
        }
        // sockaddr_in6: family(2) port(2) flowinfo(4) address(16).
        return address.Family == AddressFamily.InterNetworkV6 && address.Size >= 24
            && Dns64Address.IsIPv4Mapped(address.Buffer.Span.Slice(8, 16));
    }

    private bool NeedsSynthesis(DnsQueryContext context, HandlerResult result, out AaaaResponse original)
    {
        original = AaaaResponse.Bare(result.Rcode);
        if (result.IsDropped)
        {
            return false;
        }
        if (result.IsWritten && (context.ResponseLength == 0 || !AaaaResponse.TryRead(context.Response, context.Query.QuestionEnd, out original)))
        {
            return false;
        }
        // A truncated answer says nothing about AAAA records: the client asks again over TCP.
        if (original.Truncated || original.Rcode == ResponseCode.NXDomain)
        {
            return false;
        }
        return _options.TranslateAll || !original.HasAaaa;
    }

    private async ValueTask<HandlerResult> SynthesizeWhenAnsweredAsync(DnsQueryContext context, ValueTask<HandlerResult> pending)
    {
        var result = await pending.ConfigureAwait(false);
        return NeedsSynthesis(context, result, out var original)
            ? await SynthesizeAsync(context, result, original).ConfigureAwait(false)
            : result;
    }

    /// <summary>Asks the rest of the chain for A; with A records (or a truncated A answer) writes the synthesis, else keeps the AAAA answer.</summary>
    private async ValueTask<HandlerResult> SynthesizeAsync(DnsQueryContext context, HandlerResult result, AaaaResponse original)
    {
        var lookup = Lookups.Rent();
        var ownAddress = lookup.RemoteAddress;
        try
        {
            int length = WriteALookup(context, lookup.Buffer);
            lookup.MaxUdpSize = context.MaxUdpSize;
            lookup.Reset(length, context.Transport);
            // acl and view see the client; forward keeps the client's transport.
            lookup.RemoteAddress = context.RemoteAddress;
            lookup.LocalPort = context.LocalPort;
            lookup.Block = context.Block;
            var answer = await NextAsync(lookup).ConfigureAwait(false);
            if (answer.IsDropped || !answer.IsWritten || lookup.ResponseLength == 0
                || DnsMessage.TryParse(lookup.Response, out var a) != DnsError.None)
            {
                return result;
            }
            if (!Dns64Synthesis.TryWrite(context, a, _options, original.SoaTtl))
            {
                return result;
            }
            _metrics.Translated();
            context.WrittenBy = Name;
            return HandlerResult.Written(a.Rcode);
        }
        finally
        {
            lookup.RemoteAddress = ownAddress;
            Lookups.Return(lookup);
        }
    }

    /// <summary>The client's question (its case, RD and CD, its EDNS size and DO bit) as an A query.</summary>
    internal static int WriteALookup(DnsQueryContext context, Span<byte> buffer)
    {
        var request = context.Query.Header;
        var header = new DnsHeader
        {
            Id = request.Id,
            RecursionDesired = request.RecursionDesired,
            CheckingDisabled = request.CheckingDisabled,
            QuestionCount = 1,
        };
        var writer = new MessageWriter(buffer, buffer.Length);
        writer.TryWriteQuestion(context.QuestionName, RecordType.A, RecordClass.IN);
        if (context.Query.Edns.IsPresent)
        {
            writer.TryWriteOpt(context.Query.Edns.UdpPayloadSize, 0, 0, context.Query.Edns.DnssecOk, default);
        }
        writer.WriteHeader(header);
        int length = writer.Position;
        return length;
    }
}
