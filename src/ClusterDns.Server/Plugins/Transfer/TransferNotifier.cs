using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Transfer;

/// <summary>
/// Sends NOTIFY (RFC 1996) for a zone to its <c>to</c> addresses when the zone's serial changes, as CoreDNS's transfer
/// plugin (up to three tries per secondary, each waiting one second for the reply), and, an extension, to the
/// secondaries a <c>to</c> network or <c>*</c> let transfer (<see cref="TransferSubscribers"/>).
/// Serials are compared as soon as a source says a zone changed (the cluster zone at each publish) and every 100 ms
/// for sources that do not say (a reloaded file zone), at most one check per <see cref="MinimumSpacing"/>: changes that
/// come closer together are one NOTIFY. A zone
/// first seen (loaded, or the cluster zone after its first list) is announced as well.
/// </summary>
internal sealed partial class TransferNotifier : IServerComponent
{
    /// <summary>
    /// How often serials are compared for sources that do not say when they change (a reloaded file zone): reading
    /// a serial is one volatile read. The cluster zone says, so a node cache hears of a change at its publish.
    /// </summary>
    internal static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The least time between two checks, however often sources change: a cluster that publishes every few
    /// milliseconds sends each secondary at most 50 NOTIFYs a second (and so at most 50 IXFRs per node cache), at the
    /// cost of up to 20 ms of freshness for a change that follows another closely.
    /// </summary>
    internal static readonly TimeSpan MinimumSpacing = TimeSpan.FromMilliseconds(20);

    private const int Attempts = 3;
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(1);

    private readonly TransferHandler _handler;
    private readonly ILogger _logger;
    private readonly Dictionary<DnsName, uint> _serials = new();
    private readonly List<Task> _sending = new();
    private readonly SemaphoreSlim _changed = new(0, 1);
    private CancellationTokenSource? _stop;
    private Task? _loop;

    /// <summary>How often serials are compared when no source says it changed.</summary>
    private readonly TimeSpan _interval;

    public TransferNotifier(TransferHandler handler, ILogger logger, TimeSpan? interval = null)
    {
        _handler = handler;
        _logger = logger;
        _interval = interval ?? DefaultInterval;
    }

    /// <summary>The secondaries networks let transfer, which get NOTIFY too (tests set their port).</summary>
    internal TransferSubscribers Subscribers => _handler.Subscribers;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stop = new CancellationTokenSource();
        foreach (var source in _handler.Sources())
        {
            source.WatchChanges(Wake);
        }
        _loop = RunAsync(_stop.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null || _loop is null)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                Check(stopping);
                long checkedAt = Stopwatch.GetTimestamp();
                await _changed.WaitAsync(_interval, stopping).ConfigureAwait(false);
                var since = Stopwatch.GetElapsedTime(checkedAt);
                if (since < MinimumSpacing)
                {
                    await Task.Delay(MinimumSpacing - since, stopping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        // NOTIFYs in flight end with the stop (each wait is cancelled).
        await Task.WhenAll(_sending).ConfigureAwait(false);
    }

    /// <summary>A source changed a zone: check now (several changes before the check runs are one check).</summary>
    private void Wake()
    {
        try
        {
            if (_changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another change released it first: one check serves both.
        }
    }

    /// <summary>Compares each zone's serial with the last one seen; a NOTIFY to a slow secondary does not hold the others.</summary>
    private void Check(CancellationToken stopping)
    {
        _sending.RemoveAll(t => t.IsCompleted);
        foreach (var rule in _handler.Rules)
        {
            foreach (var zone in rule.Zones)
            {
                if (!_handler.TryGetSerial(zone.ToLower().Wire, out uint serial))
                {
                    continue;
                }
                // A zone seen for the first time (loaded, or the cluster zone listed) is announced too: a change
                // between start and the first check must not go unannounced, and an up-to-date secondary only asks our SOA.
                if (!_serials.TryGetValue(zone, out uint previous) || previous != serial)
                {
                    _serials[zone] = serial;
                    foreach (var peer in rule.To)
                    {
                        if (peer.NotifyTarget is { } target)
                        {
                            _sending.Add(NotifyAsync(zone, target, stopping));
                        }
                    }
                    foreach (var target in _handler.Subscribers.TargetsOf(rule))
                    {
                        _sending.Add(NotifyAsync(zone, target, stopping));
                    }
                }
            }
        }
    }

    private async Task NotifyAsync(DnsName zone, IPEndPoint target, CancellationToken stopping)
    {
        var reply = await SendAsync(zone, target, stopping).ConfigureAwait(false);
        if (reply == ResponseCode.NoError)
        {
            LogNotified(_logger, zone.ToString(), target);
        }
        else if (!stopping.IsCancellationRequested)
        {
            LogNotifyFailed(_logger, zone.ToString(), target, reply?.ToString() ?? "no reply");
        }
    }

    /// <summary>One NOTIFY, retried; the reply's RCODE, or null when none came.</summary>
    internal static async Task<ResponseCode?> SendAsync(DnsName zone, IPEndPoint target, CancellationToken stopping)
    {
        var request = BuildNotify(zone, (ushort)Random.Shared.Next(ushort.MaxValue + 1));
        ushort id = (ushort)((request[0] << 8) | request[1]);
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(target);
        var buffer = new byte[512];
        ResponseCode? last = null;
        for (int attempt = 0; attempt < Attempts && !stopping.IsCancellationRequested; attempt++)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            wait.CancelAfter(ReplyTimeout);
            try
            {
                await socket.SendAsync(request, SocketFlags.None, wait.Token).ConfigureAwait(false);
                while (true)
                {
                    int length = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token).ConfigureAwait(false);
                    // Only the secondary's reply to this NOTIFY counts (RFC 1996 §3.8: same ID, QR, opcode NOTIFY).
                    if (DnsHeader.TryRead(buffer.AsSpan(0, length), out var header) && header.IsResponse && header.Id == id && header.Opcode == Opcode.Notify)
                    {
                        last = (ResponseCode)header.Rcode;
                        break;
                    }
                }
                if (last == ResponseCode.NoError)
                {
                    return last;
                }
            }
            catch (OperationCanceledException)
            {
                // No reply in time: try again (or stop).
            }
            catch (SocketException)
            {
                // Unreachable for now (ICMP): try again.
            }
        }
        return last;
    }

    /// <summary>RFC 1996 §3.7: opcode NOTIFY, AA, the zone's SOA as the question.</summary>
    internal static byte[] BuildNotify(DnsName zone, ushort id)
    {
        var message = DnsMessage.CreateQuery(id, zone, RecordType.SOA);
        message.Header.Opcode = Opcode.Notify;
        message.Header.AuthoritativeAnswer = true;
        message.Header.RecursionDesired = false;
        return message.ToArray();
    }

    [LoggerMessage(EventId = 1705, Level = LogLevel.Information, Message = "Sent NOTIFY for zone {Zone} to {Target}")]
    private static partial void LogNotified(ILogger logger, string zone, IPEndPoint target);

    [LoggerMessage(EventId = 1706, Level = LogLevel.Warning, Message = "NOTIFY for zone {Zone} was not accepted by {Target}: {Outcome}")]
    private static partial void LogNotifyFailed(ILogger logger, string zone, IPEndPoint target, string outcome);
}
