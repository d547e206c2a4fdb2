using System.Buffers.Binary;
using System.Security.Cryptography;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Loop;

/// <summary>
/// At start, sends the loop probe through this block's forwarders (to its upstreams) until one answer comes
/// back, for at most <see cref="ProbeDeadline"/>; a loop makes the probe arrive at <see cref="LoopHandler"/> again
/// and again instead. Once answered, the handler is switched off after a short grace period.
/// </summary>
internal sealed partial class LoopProbe : IServerComponent
{
    private readonly LoopHandler _handler;
    private readonly Func<IEnumerable<DnsHandler>> _handlers;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _run = Task.CompletedTask;

    public LoopProbe(LoopHandler handler, Func<IEnumerable<DnsHandler>> handlers, ILogger logger)
    {
        _handler = handler;
        _handlers = handlers;
        _logger = logger;
    }

    public TimeSpan ProbeDeadline { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the check stays on after the first answered probe (late loop arrivals still count).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Completes when probing is over (tests await it).</summary>
    internal Task Completion => _run;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Probing must not hold up the start: the listeners have to be up for a loop to show.
        _run = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping anyway.
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            // By the handler name, not the type: a plugin knows no other plugin's internals.
            var forwarders = _handlers().Where(h => h.Name == "forward").ToArray();
            if (forwarders.Length == 0)
            {
                _handler.Disable();
                return;
            }
            long deadline = Environment.TickCount64 + (long)ProbeDeadline.TotalMilliseconds;
            while (!stopping.IsCancellationRequested && Environment.TickCount64 < deadline)
            {
                bool answered = false;
                foreach (var forwarder in forwarders)
                {
                    var context = BuildProbe(_handler.ProbeName);
                    var result = await forwarder.ServeAsync(context).ConfigureAwait(false);
                    answered |= result.IsWritten;
                }
                if (answered)
                {
                    await Task.Delay(Grace, stopping).ConfigureAwait(false);
                    break;
                }
                await Task.Delay(RetryInterval, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception exception)
        {
            LogProbeFailed(_logger, exception);
        }
        _handler.Disable();
    }

    /// <summary>A context holding <c>PROBE HINFO IN</c> with RD, as if a client had sent it over UDP.</summary>
    internal static DnsQueryContext BuildProbe(ReadOnlySpan<byte> name)
    {
        var context = new DnsQueryContext();
        var buffer = context.Buffer.AsSpan();
        var header = new DnsHeader { Id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1), RecursionDesired = true, QuestionCount = 1 };
        header.TryWrite(buffer);
        name.CopyTo(buffer[DnsHeader.Size..]);
        int position = DnsHeader.Size + name.Length;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[position..], (ushort)RecordType.HINFO);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(position + 2)..], (ushort)RecordClass.IN);
        context.Reset(position + 4, TransportKind.Udp);
        return context;
    }

    /// <summary><c>&lt;random&gt;.&lt;random&gt;.&lt;zone&gt;</c> in lower-case wire form (CoreDNS uses two random integers).</summary>
    internal static byte[] CreateProbeName(DnsName zone)
    {
        var first = RandomLabel();
        var second = RandomLabel();
        var zoneWire = zone.ToLower().Wire;
        var name = new byte[2 + first.Length + second.Length + zoneWire.Length];
        name[0] = (byte)first.Length;
        first.CopyTo(name.AsSpan(1));
        name[1 + first.Length] = (byte)second.Length;
        second.CopyTo(name.AsSpan(2 + first.Length));
        zoneWire.CopyTo(name.AsSpan(2 + first.Length + second.Length));
        return name;
    }

    private static byte[] RandomLabel() =>
        System.Text.Encoding.ASCII.GetBytes(RandomNumberGenerator.GetInt32(int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture));

    [LoggerMessage(EventId = 531, Level = LogLevel.Warning, Message = "Loop probe failed; the loop check is off")]
    private static partial void LogProbeFailed(ILogger logger, Exception exception);
}
