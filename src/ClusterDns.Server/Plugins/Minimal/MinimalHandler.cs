using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Minimal;

/// <summary>
/// CoreDNS's minimal: runs the rest of the chain, then drops the authority and additional sections of a positive
/// answer (our OPT record stays). NXDOMAIN, NODATA, referrals, errors and transfers are left whole: their
/// authority section is the answer (SOA for caching, NS and glue for following a delegation).
/// </summary>
internal sealed class MinimalHandler : DnsHandler
{
    public override string Name => "minimal";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var pending = NextAsync(context);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitAndTrimAsync(pending, context);
        }
        Trim(context, pending.Result);
        return pending;
    }

    private static async ValueTask<HandlerResult> AwaitAndTrimAsync(ValueTask<HandlerResult> pending, DnsQueryContext context)
    {
        var result = await pending.ConfigureAwait(false);
        Trim(context, result);
        return result;
    }

    private static void Trim(DnsQueryContext context, HandlerResult result)
    {
        if (!result.IsWritten || result.IsDropped || context.ResponseLength == 0)
        {
            return;
        }
        int length = ResponseMinimizer.Minimize(context.Buffer.AsSpan(0, context.ResponseLength), context.Query.QuestionEnd);
        context.ShrinkResponse(length);
    }
}
