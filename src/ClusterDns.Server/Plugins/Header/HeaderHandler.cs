using System.Buffers.Binary;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Header;

/// <summary>
/// CoreDNS's header: query rules change the request's flags before the plugins after it see them; response rules
/// change the flags of the response a later plugin writes (not of a bare error the server writes, as in CoreDNS).
/// </summary>
internal sealed class HeaderHandler(HeaderRules query, HeaderRules response) : DnsHandler
{
    public override string Name => "header";

    public HeaderRules QueryRules => query;

    public HeaderRules ResponseRules => response;

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        if (!query.IsEmpty)
        {
            ref var flags = ref context.Query.Header.Flags;
            flags = query.Apply(flags);
            BinaryPrimitives.WriteUInt16BigEndian(context.Buffer.AsSpan(2), flags);
        }
        var pending = NextAsync(context);
        if (response.IsEmpty)
        {
            return pending;
        }
        if (pending.IsCompletedSuccessfully)
        {
            ApplyToResponse(context, pending.Result);
            return pending;
        }
        return AwaitAndApply(pending, context);
    }

    private async ValueTask<HandlerResult> AwaitAndApply(ValueTask<HandlerResult> pending, DnsQueryContext context)
    {
        var result = await pending.ConfigureAwait(false);
        ApplyToResponse(context, result);
        return result;
    }

    private void ApplyToResponse(DnsQueryContext context, HandlerResult result)
    {
        if (!result.IsWritten || result.IsDropped || context.ResponseLength < DnsHeader.Size)
        {
            return;
        }
        var span = context.Buffer.AsSpan(2, 2);
        BinaryPrimitives.WriteUInt16BigEndian(span, response.Apply(BinaryPrimitives.ReadUInt16BigEndian(span)));
    }
}
