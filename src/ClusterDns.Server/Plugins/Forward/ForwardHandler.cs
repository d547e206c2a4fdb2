using System.Diagnostics;
using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// Sends queries for its FROM zones (minus <c>except</c>) to the upstreams and copies the reply back under the
/// client's ID, question and size limit. The one truly asynchronous handler.
/// </summary>
internal sealed partial class ForwardHandler : DnsHandler, IServerComponent
{
    private readonly ForwardOptions _options;
    private readonly object _swap = new();
    // Replaced whole when host name upstreams resolve to new addresses; a query reads it once.
    private Upstream[] _upstreams;
    private readonly byte[][] _from;
    private readonly byte[][] _except;
    private readonly ILogger _logger;
    private int _inFlight;
    private int _roundRobin;
    private long _maxConcurrentRejects;
    private long _clientShareRejects;
    private readonly ClientShare? _clientShare;
    private long _healthcheckBroken;

    public ForwardHandler(ForwardOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _upstreams = options.Upstreams.Select(a => new Upstream(a, options, logger)).ToArray();
        _from = options.From.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        _except = options.Except.Select(z => z.ToLower().Wire.ToArray()).ToArray();
        if (options.MaxConcurrent > 0 && options.MaxConcurrentPerClient != 0)
        {
            _clientShare = new ClientShare(options.MaxConcurrent, Math.Max(0, options.MaxConcurrentPerClient));
        }
    }

    public override string Name => "forward";

    internal ForwardOptions Options => _options;

    internal IReadOnlyList<Upstream> Upstreams => Volatile.Read(ref _upstreams);

    /// <summary>Called for each upstream added after construction (metrics attach their series).</summary>
    internal Action<Upstream>? UpstreamAdded { get; set; }

    /// <summary>
    /// Serves <paramref name="addresses"/> from now on, keeping the upstreams (connections, health) of addresses
    /// that stay. Returns the upstreams no longer used, for the caller to dispose once in-flight queries are done.
    /// </summary>
    internal IReadOnlyList<Upstream> ReplaceUpstreams(IReadOnlyList<UpstreamAddress> addresses)
    {
        Upstream[] current;
        Upstream[] next;
        var added = new List<Upstream>();
        lock (_swap)
        {
            current = _upstreams;
            next = new Upstream[addresses.Count];
            for (int i = 0; i < next.Length; i++)
            {
                var kept = Array.Find(current, u => u.Address == addresses[i]);
                if (kept is null)
                {
                    kept = new Upstream(addresses[i], _options, _logger);
                    added.Add(kept);
                }
                next[i] = kept;
            }
            Volatile.Write(ref _upstreams, next);
        }
        foreach (var upstream in added)
        {
            UpstreamAdded?.Invoke(upstream);
        }
        return current.Where(u => Array.IndexOf(next, u) < 0).ToArray();
    }

    /// <summary>Queries refused because <c>max_concurrent</c> forwards were in flight (coredns_forward_max_concurrent_rejects_total).</summary>
    public long MaxConcurrentRejects => Interlocked.Read(ref _maxConcurrentRejects);

    /// <summary>
    /// Of <see cref="MaxConcurrentRejects"/>, those refused because their client held its share of
    /// <c>max_concurrent</c> (coredns_forward_client_share_rejects_total).
    /// </summary>
    public long ClientShareRejects => Interlocked.Read(ref _clientShareRejects);

    internal ClientShare? ClientShare => _clientShare;

    /// <summary>Queries that found every upstream down (coredns_forward_healthcheck_broken_total).</summary>
    public long HealthcheckBroken => Interlocked.Read(ref _healthcheckBroken);

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        if (!IsForwarded(context.LowerName))
        {
            return NextAsync(context);
        }
        if (_options.MaxConcurrent <= 0)
        {
            return ForwardAsync(context);
        }
        // Only forwarded queries reach here: answers from memory (the cluster zone, cache hits) never count or shed.
        int slot = -1;
        if (_clientShare is not null && (slot = _clientShare.TryEnter(context.RemoteAddress)) < 0)
        {
            Interlocked.Increment(ref _clientShareRejects);
            return Refuse();
        }
        if (Interlocked.Increment(ref _inFlight) > _options.MaxConcurrent)
        {
            Interlocked.Decrement(ref _inFlight);
            if (slot >= 0)
            {
                _clientShare!.Exit(slot);
            }
            return Refuse();
        }
        return ForwardCountedAsync(context, slot);
    }

    /// <summary>No queueing: beyond the bound the client hears at once and may try another server.</summary>
    private ValueTask<HandlerResult> Refuse()
    {
        Interlocked.Increment(ref _maxConcurrentRejects);
        return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.Refused));
    }

    private bool IsForwarded(ReadOnlySpan<byte> name)
    {
        bool inZone = false;
        foreach (var zone in _from)
        {
            if (WireName.IsSubdomainOf(name, zone))
            {
                inZone = true;
                break;
            }
        }
        if (!inZone)
        {
            return false;
        }
        foreach (var excluded in _except)
        {
            if (WireName.IsSubdomainOf(name, excluded))
            {
                return false;
            }
        }
        return true;
    }

    private async ValueTask<HandlerResult> ForwardCountedAsync(DnsQueryContext context, int slot)
    {
        try
        {
            return await ForwardAsync(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            if (slot >= 0)
            {
                _clientShare!.Exit(slot);
            }
        }
    }

    private async ValueTask<HandlerResult> ForwardAsync(DnsQueryContext context)
    {
        int length = context.RequestLength;
        int questionEnd = context.Query.QuestionEnd;
        byte[] query = ArrayPool<byte>.Shared.Rent(length + 2);
        byte[] reply = ArrayPool<byte>.Shared.Rent(DnsQueryContext.BufferSize);
        try
        {
            // The client's query goes upstream as it came (EDNS included), framed for TCP; only the ID changes.
            BinaryPrimitives.WriteUInt16BigEndian(query, (ushort)length);
            context.Request.CopyTo(query.AsSpan(2));
            bool clientTcp = context.Transport == TransportKind.Tcp;
            long deadline = Environment.TickCount64 + (long)_options.Timeout.TotalMilliseconds;
            var upstreams = Volatile.Read(ref _upstreams);
            var order = Order(upstreams);
            int maxTries = _options.MaxConnectAttempts > 0 ? _options.MaxConnectAttempts : Math.Max(2, upstreams.Length);
            int tries = 0;
            int down = 0;
            int i = 0;
            while (tries < maxTries && Environment.TickCount64 < deadline)
            {
                if (i >= order.Length)
                {
                    i = 0;
                    down = 0;
                }
                var upstream = order[i++];
                if (upstream.IsDown)
                {
                    if (++down < order.Length)
                    {
                        continue;
                    }
                    // Every upstream is down: the health check may be what is broken, so try one anyway.
                    Interlocked.Increment(ref _healthcheckBroken);
                    if (_options.FailFastAllUnhealthy)
                    {
                        break;
                    }
                    upstream = upstreams[Random.Shared.Next(upstreams.Length)];
                }
                tries++;

                bool tcp = upstream.Address.Encrypted || _options.ForceTcp || (clientTcp && !_options.PreferUdp);
                long started = Stopwatch.GetTimestamp();
                upstream.Metrics?.RequestSent();
                int replyLength = await ExchangeAsync(upstream, query, length, questionEnd, reply, tcp, deadline).ConfigureAwait(false);
                if (replyLength > 0 && !tcp && (reply[2] & TruncatedBit) != 0)
                {
                    // The upstream truncated over UDP: ask again over TCP (the client then gets the whole answer, or
                    // TC from us if it is too large for the client's limit).
                    replyLength = await ExchangeAsync(upstream, query, length, questionEnd, reply, tcp: true, deadline).ConfigureAwait(false);
                }
                if (replyLength <= 0 || !ResponseLayout.TryRead(reply.AsSpan(0, replyLength), questionEnd, out var layout))
                {
                    upstream.ReportFailure();
                    continue;
                }
                upstream.ReportSuccess();

                var rcode = layout.Rcode;
                upstream.Metrics?.ResponseReceived(rcode, Stopwatch.GetElapsedTime(started).TotalSeconds);
                if (_options.FailoverRcodes.Count > 0 && tries < maxTries && Environment.TickCount64 < deadline && _options.FailoverRcodes.Contains(rcode))
                {
                    continue;
                }
                if (_options.NextOnNoData && rcode == ResponseCode.NoError && layout.AnswerCount == 0)
                {
                    return await NextAsync(context).ConfigureAwait(false);
                }
                foreach (var next in _options.NextRcodes)
                {
                    if (next == rcode)
                    {
                        return await NextAsync(context).ConfigureAwait(false);
                    }
                }
                ResponseCopier.Write(context, layout.Body(reply.AsSpan(0, replyLength)), layout.AnswerCount, layout.AuthorityCount,
                    layout.AdditionalCount, rcode, layout.Header.AuthoritativeAnswer, layout.Header.AuthenticData);
                context.WrittenBy = Name;
                return HandlerResult.Written(rcode);
            }
            LogNoAnswer(_logger, context.Query.Type.ToString());
            return HandlerResult.NotWritten(ResponseCode.ServFail);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(query);
            ArrayPool<byte>.Shared.Return(reply);
        }
    }

    private const byte TruncatedBit = 0x02;

    private ValueTask<int> ExchangeAsync(Upstream upstream, byte[] query, int length, int questionEnd, byte[] reply, bool tcp, long deadline)
    {
        // A fresh random ID for every upstream query (RFC 5452).
        RandomNumberGenerator.Fill(query.AsSpan(2, 2));
        var remaining = TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));
        return upstream.ExchangeAsync(query, length, questionEnd, reply, tcp, remaining < _options.ReadTimeout ? remaining : _options.ReadTimeout);
    }

    /// <summary>The upstreams in the order this query tries them.</summary>
    private Upstream[] Order(Upstream[] upstreams)
    {
        if (upstreams.Length == 1 || _options.Policy == ForwardPolicy.Sequential)
        {
            return upstreams;
        }
        var order = new Upstream[upstreams.Length];
        if (_options.Policy == ForwardPolicy.RoundRobin)
        {
            int start = (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)order.Length);
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = upstreams[(start + i) % order.Length];
            }
            return order;
        }
        upstreams.CopyTo(order, 0);
        Random.Shared.Shuffle(order);
        return order;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var upstream in Volatile.Read(ref _upstreams))
        {
            await upstream.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 510, Level = LogLevel.Debug, Message = "No upstream answered a {Type} query in time; SERVFAIL")]
    private static partial void LogNoAnswer(ILogger logger, string type);
}
