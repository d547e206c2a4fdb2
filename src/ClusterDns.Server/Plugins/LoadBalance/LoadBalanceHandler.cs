using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary>
/// Runs the rest of the chain, then reorders the address records of the written answer in place: round robin
/// rotates A/AAAA (and MX) RRsets one step per response; weighted moves one address per A/AAAA RRset to the
/// front by weight (for A, AAAA and SRV questions, as CoreDNS); <c>prefer</c> then puts addresses in the listed
/// subnets first. Works on any handler's answer because it only touches the finished wire message.
/// </summary>
internal sealed class LoadBalanceHandler : DnsHandler
{
    private readonly bool _weighted;
    private readonly Subnet[] _prefer;
    private readonly Func<int, int> _random;
    private WeightTable _weights;
    private int _turn;

    public LoadBalanceHandler()
        : this(LoadBalanceOptions.RoundRobin, WeightTable.Empty, null)
    {
    }

    /// <param name="random">Returns a value in [0, limit); tests pass a fixed sequence. Default: <see cref="Random.Shared"/>.</param>
    public LoadBalanceHandler(LoadBalanceOptions options, WeightTable weights, Func<int, int>? random)
    {
        _weighted = options.IsWeighted;
        _prefer = [.. options.Prefer];
        _weights = weights;
        _random = random ?? Random.Shared.Next;
    }

    public override string Name => "loadbalance";

    public WeightTable Weights
    {
        get => Volatile.Read(ref _weights);
        set => Volatile.Write(ref _weights, value);
    }

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var pending = NextAsync(context);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitAndReorderAsync(pending, context);
        }
        var result = pending.Result;
        Reorder(context, result);
        return new ValueTask<HandlerResult>(result);
    }

    private async ValueTask<HandlerResult> AwaitAndReorderAsync(ValueTask<HandlerResult> pending, DnsQueryContext context)
    {
        var result = await pending.ConfigureAwait(false);
        Reorder(context, result);
        return result;
    }

    private void Reorder(DnsQueryContext context, HandlerResult result)
    {
        if (!result.IsWritten || context.ResponseLength <= 0)
        {
            return;
        }
        var message = context.Buffer.AsSpan(0, context.ResponseLength);
        if (!_weighted)
        {
            AnswerRotator.Rotate(message, (uint)Interlocked.Increment(ref _turn));
        }
        else if (context.QuestionType is RecordType.A or RecordType.AAAA or RecordType.SRV)
        {
            AddressOrdering.ApplyWeighted(message, Weights, _random);
        }
        if (_prefer.Length > 0)
        {
            AddressOrdering.ApplyPrefer(message, _prefer);
        }
    }
}
