using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Common;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Transfer;

/// <summary>
/// Sends NOTIFY (RFC 1996) for a zone to its <c>to</c> addresses (not <c>*</c>, not networks) when the zone's serial
/// changes, as CoreDNS's transfer plugin: up to three tries per secondary, each waiting one second for the reply.
/// Serials are compared once a second, so a burst of cluster changes is one NOTIFY; the first check only takes note.
/// </summary>
internal sealed partial class TransferNotifier : PeriodicComponent
{
    internal static TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    private const int Attempts = 3;
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(1);

    private readonly TransferHandler _handler;
    private readonly ILogger _logger;
    private readonly Dictionary<DnsName, uint> _serials = new();

    public TransferNotifier(TransferHandler handler, ILogger logger)
        : base(Interval)
    {
        _handler = handler;
        _logger = logger;
    }

    protected override void Tick()
    {
        foreach (var rule in _handler.Rules)
        {
            foreach (var zone in rule.Zones)
            {
                if (!_handler.TryGetSerial(zone.ToLower().Wire, out uint serial))
                {
                    continue;
                }
                bool known = _serials.TryGetValue(zone, out uint previous);
                _serials[zone] = serial;
                if (known && previous != serial)
                {
                    Notify(zone, rule.To);
                }
            }
        }
    }

    private void Notify(DnsName zone, IReadOnlyList<TransferPeer> peers)
    {
        foreach (var peer in peers)
        {
            if (peer.NotifyTarget is not { } target)
            {
                continue;
            }
            var reply = Send(zone, target);
            if (reply == ResponseCode.NoError)
            {
                LogNotified(_logger, zone.ToString(), target);
            }
            else
            {
                LogNotifyFailed(_logger, zone.ToString(), target, reply?.ToString() ?? "no reply");
            }
        }
    }

    /// <summary>One NOTIFY, retried; the reply's RCODE, or null when none came.</summary>
    internal static ResponseCode? Send(DnsName zone, IPEndPoint target)
    {
        var request = BuildNotify(zone, (ushort)Random.Shared.Next(ushort.MaxValue + 1));
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveTimeout = (int)ReplyTimeout.TotalMilliseconds;
        var buffer = new byte[512];
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            try
            {
                socket.SendTo(request, target);
                var deadline = DateTime.UtcNow + ReplyTimeout;
                while (DateTime.UtcNow < deadline)
                {
                    EndPoint from = new IPEndPoint(target.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
                    int length = socket.ReceiveFrom(buffer, ref from);
                    // Only the secondary's reply to this NOTIFY counts (RFC 1996 §3.8: same ID, QR, opcode NOTIFY).
                    if (from.Equals(target) && DnsHeader.TryRead(buffer.AsSpan(0, length), out var header) && header.IsResponse
                        && header.Id == BitConverter.ToUInt16([request[1], request[0]]) && header.Opcode == Opcode.Notify)
                    {
                        var rcode = (ResponseCode)header.Rcode;
                        if (rcode == ResponseCode.NoError)
                        {
                            return rcode;
                        }
                        break;
                    }
                }
            }
            catch (SocketException)
            {
                // Timed out or refused: try again.
            }
        }
        return null;
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
