using ClusterDns.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// Resolves a name through this server's own pipeline (CoreDNS's <c>upstream</c>): the kubernetes plugin uses
/// it to follow an ExternalName CNAME out of the cluster zone, so stub resolvers that do not chase CNAMEs
/// (glibc, musl) still get addresses. Only for rare paths: it allocates.
/// </summary>
public sealed class InternalResolver
{
    private const int MaxDepth = 4;
    private static readonly QueryContextPool Contexts = new(maxUdpSize: DnsQueryContext.BufferSize, maxRetained: 64);
    private static readonly AsyncLocal<int> Depth = new();

    private QueryProcessor? _processor;

    /// <summary>Called once the router of the handler's port exists.</summary>
    public void Attach(ZoneRouter router) =>
        _processor = new QueryProcessor(router, NullQueryObserver.Instance, NullLogger.Instance);

    /// <summary>The response to <paramref name="name"/>/<paramref name="type"/>, or null when there is no pipeline or the chase is too deep.</summary>
    public async ValueTask<DnsMessage?> ResolveAsync(DnsName name, RecordType type)
    {
        if (_processor is null || Depth.Value >= MaxDepth)
        {
            return null;
        }
        var context = Contexts.Rent();
        Depth.Value++;
        try
        {
            var query = DnsMessage.CreateQuery((ushort)Random.Shared.Next(ushort.MaxValue + 1), name, type, new EdnsRecord { UdpPayloadSize = 4096 });
            int length = query.Write(context.Buffer, context.Buffer.Length);
            context.Reset(length, TransportKind.Tcp);
            await _processor.ProcessAsync(context).ConfigureAwait(false);
            return context.ResponseLength > 0 && DnsMessage.TryParse(context.Response, out var response) == DnsError.None ? response : null;
        }
        finally
        {
            Depth.Value--;
            Contexts.Return(context);
        }
    }
}
