using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary>
/// Runs the rest of the chain, then rotates the A/AAAA (and MX) RRsets of the written answer in place, one step per
/// response, so clients that take the first address spread over all of them. Works on any handler's answer
/// (kubernetes, file, forward, cache hits) because it only touches the finished wire message.
/// </summary>
internal sealed class LoadBalanceHandler : DnsHandler
{
    private int _turn;

    public override string Name => "loadbalance";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var pending = NextAsync(context);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitAndRotateAsync(pending, context);
        }
        var result = pending.Result;
        Rotate(context, result);
        return new ValueTask<HandlerResult>(result);
    }

    private async ValueTask<HandlerResult> AwaitAndRotateAsync(ValueTask<HandlerResult> pending, DnsQueryContext context)
    {
        var result = await pending.ConfigureAwait(false);
        Rotate(context, result);
        return result;
    }

    private void Rotate(DnsQueryContext context, HandlerResult result)
    {
        if (result.IsWritten && context.ResponseLength > 0)
        {
            AnswerRotator.Rotate(context.Buffer.AsSpan(0, context.ResponseLength), (uint)Interlocked.Increment(ref _turn));
        }
    }
}
