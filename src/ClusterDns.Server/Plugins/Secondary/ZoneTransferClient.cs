using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.Secondary;

/// <summary>
/// Asks one primary for a zone over TCP (RFC 5936 §4.2, RFC 1995): IXFR with our SOA in the authority section when
/// we hold a version, AXFR otherwise, and reads the answer's messages until the transfer is complete.
/// </summary>
internal static class ZoneTransferClient
{
    /// <summary>The longest a primary may stay silent (connect, or between two messages) before the transfer is given up.</summary>
    internal static TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <param name="ours">The SOA of the version we hold (an IXFR), or null (an AXFR).</param>
    /// <param name="received">Counts the bytes of the answer as they arrive (the zone's transfer bytes metric).</param>
    public static async Task<TransferOutcome> TransferAsync(IPEndPoint primary, DnsName zone, DnsRecord? ours, Action<int> received, CancellationToken stopping)
    {
        ushort id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        var request = DnsMessage.CreateQuery(id, zone, ours is null ? RecordType.AXFR : RecordType.IXFR);
        request.Header.RecursionDesired = false;
        if (ours is not null)
        {
            request.Authority.Add(ours);
        }
        var payload = request.ToArray();
        var framed = new byte[payload.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)payload.Length);
        payload.CopyTo(framed, 2);

        using var socket = new Socket(primary.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var connect = Idle(stopping))
        {
            await socket.ConnectAsync(primary, connect.Token).ConfigureAwait(false);
        }
        await socket.SendAsync(framed, SocketFlags.None, stopping).ConfigureAwait(false);

        var transfer = new IncomingTransfer(zone, (ours?.Data as SoaData)?.Serial);
        var length = new byte[2];
        var buffer = new byte[ushort.MaxValue];
        while (true)
        {
            using var idle = Idle(stopping);
            await ReadExactlyAsync(socket, length, idle.Token).ConfigureAwait(false);
            int size = BinaryPrimitives.ReadUInt16BigEndian(length);
            await ReadExactlyAsync(socket, buffer.AsMemory(0, size), idle.Token).ConfigureAwait(false);
            received(size + 2);
            if (DnsMessage.TryParse(buffer.AsSpan(0, size), out var message) is var error && error != DnsError.None)
            {
                throw new InvalidDataException($"a message of the transfer of {zone} does not parse ({error})");
            }
            if (message.Header.Id != id || !message.Header.IsResponse)
            {
                throw new InvalidDataException($"a message of the transfer of {zone} is not the answer to our request");
            }
            if (message.Rcode != ResponseCode.NoError)
            {
                throw new InvalidDataException($"the primary answered {message.Rcode}");
            }
            if (transfer.Add(message.Answers) is { } outcome)
            {
                return outcome;
            }
        }
    }

    private static CancellationTokenSource Idle(CancellationToken stopping)
    {
        var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        idle.CancelAfter(IdleTimeout);
        return idle;
    }

    private static async Task ReadExactlyAsync(Socket socket, Memory<byte> destination, CancellationToken cancellation)
    {
        int read = 0;
        while (read < destination.Length)
        {
            int got = await socket.ReceiveAsync(destination[read..], SocketFlags.None, cancellation).ConfigureAwait(false);
            if (got == 0)
            {
                throw new InvalidDataException("the primary closed the connection before the transfer was complete");
            }
            read += got;
        }
    }
}
