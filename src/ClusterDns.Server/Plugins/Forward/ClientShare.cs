using System.Net;
using System.Net.Sockets;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// Forwards in flight per client address, kept in a fixed table of counters hashed by the address (no allocation
/// per query, bounded memory whatever the number of clients). A client may hold at most its share: the configured
/// per-client cap, or else <c>max_concurrent / (N + 1)</c> with N the clients holding forwards now, itself included,
/// so one client never takes the whole of <c>max_concurrent</c> and a client that is not forwarding yet still finds room.
/// Two addresses that hash to the same counter share one budget (rare with <see cref="Slots"/> counters; the hash is
/// seeded per process, so a client cannot aim at another's counter).
/// </summary>
internal sealed class ClientShare
{
    /// <summary>Counters in the table (a power of two).</summary>
    public const int Slots = 4096;

    private readonly int[] _inFlight = new int[Slots];
    private readonly int _maxConcurrent;
    private readonly int _perClientCap;
    private int _activeClients;

    /// <param name="maxConcurrent">forward's <c>max_concurrent</c> (above 0).</param>
    /// <param name="perClientCap">A fixed cap per client, or 0 for the fair share of <paramref name="maxConcurrent"/>.</param>
    public ClientShare(int maxConcurrent, int perClientCap)
    {
        _maxConcurrent = maxConcurrent;
        _perClientCap = perClientCap;
    }

    /// <summary>Clients (counters) holding forwards now.</summary>
    public int ActiveClients => Volatile.Read(ref _activeClients);

    /// <summary>The share a client holds at most while <paramref name="activeClients"/> clients forward (itself included).</summary>
    public int ShareFor(int activeClients) =>
        _perClientCap > 0 ? _perClientCap : Math.Max(1, _maxConcurrent / (Math.Max(1, activeClients) + 1));

    /// <summary>
    /// Takes one forward for this client, or returns -1 when the client already holds its share. A slot returned
    /// here must be given back with <see cref="Exit"/>.
    /// </summary>
    public int TryEnter(SocketAddress client)
    {
        int slot = SlotOf(client);
        int held = Interlocked.Increment(ref _inFlight[slot]);
        int active = held == 1 ? Interlocked.Increment(ref _activeClients) : Volatile.Read(ref _activeClients);
        if (held > ShareFor(active))
        {
            Exit(slot);
            return -1;
        }
        return slot;
    }

    public void Exit(int slot)
    {
        if (Interlocked.Decrement(ref _inFlight[slot]) == 0)
        {
            Interlocked.Decrement(ref _activeClients);
        }
    }

    /// <summary>Forwards the counter of <paramref name="client"/> holds (tests, diagnostics).</summary>
    public int InFlightOf(SocketAddress client) => Volatile.Read(ref _inFlight[SlotOf(client)]);

    /// <summary>The counter of the client's address (the port is ignored; IPv4-mapped IPv6 is the IPv4 address).</summary>
    internal static int SlotOf(SocketAddress client)
    {
        var raw = client.Buffer.Span[..client.Size];
        ReadOnlySpan<byte> address = client.Family switch
        {
            AddressFamily.InterNetwork when raw.Length >= 8 => raw.Slice(4, 4),
            AddressFamily.InterNetworkV6 when raw.Length >= 24 => IsIPv4Mapped(raw.Slice(8, 16)) ? raw.Slice(20, 4) : raw.Slice(8, 16),
            _ => default,
        };
        var hash = new HashCode();
        hash.AddBytes(address);
        return hash.ToHashCode() & (Slots - 1);
    }

    private static bool IsIPv4Mapped(ReadOnlySpan<byte> v6) =>
        v6[..10].IndexOfAnyExcept((byte)0) < 0 && v6[10] == 0xFF && v6[11] == 0xFF;
}
