using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// Looks up the addresses of a <see cref="HostnameUpstream"/>: with <c>resolver</c> addresses, an A and an AAAA query
/// to each in turn until one gives an address (as CoreDNS); without, the system resolver (/etc/resolv.conf).
/// </summary>
internal static class UpstreamNameResolver
{
    /// <summary>CoreDNS's read and write timeout for these lookups.</summary>
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(2);

    private static readonly RecordType[] LookupTypes = [RecordType.A, RecordType.AAAA];

    /// <summary>The addresses of every host, in order; a host without any fails the whole lookup with its reason.</summary>
    public static async Task<IReadOnlyList<UpstreamAddress>> ResolveAllAsync(IReadOnlyList<HostnameUpstream> hosts, IReadOnlyList<IPEndPoint> resolvers,
        CancellationToken cancellation)
    {
        var resolved = new List<UpstreamAddress>();
        foreach (var host in hosts)
        {
            var addresses = await ResolveAsync(host.Host, resolvers, cancellation).ConfigureAwait(false);
            resolved.AddRange(addresses.Select(host.At));
        }
        return resolved;
    }

    public static async Task<IReadOnlyList<IPAddress>> ResolveAsync(DnsName host, IReadOnlyList<IPEndPoint> resolvers, CancellationToken cancellation)
    {
        string text = host.ToString().TrimEnd('.');
        if (resolvers.Count == 0)
        {
            try
            {
                var system = await Dns.GetHostAddressesAsync(text, cancellation).ConfigureAwait(false);
                return system.Length > 0 ? system : throw new UpstreamResolutionException($"no addresses found for '{text}'");
            }
            catch (SocketException exception)
            {
                throw new UpstreamResolutionException($"cannot resolve '{text}': {exception.Message}");
            }
        }
        string? lastError = null;
        foreach (var resolver in resolvers)
        {
            var addresses = new List<IPAddress>();
            foreach (var type in LookupTypes)
            {
                try
                {
                    addresses.AddRange(await QueryAsync(host, type, resolver, cancellation).ConfigureAwait(false));
                }
                catch (Exception exception) when (exception is SocketException or OperationCanceledException && !cancellation.IsCancellationRequested)
                {
                    lastError = $"{resolver}: {(exception is OperationCanceledException ? "timed out" : exception.Message)}";
                }
            }
            if (addresses.Count > 0)
            {
                return addresses;
            }
        }
        throw new UpstreamResolutionException($"no addresses found for '{text}'" + (lastError is null ? "" : $" ({lastError})"));
    }

    private static async Task<IEnumerable<IPAddress>> QueryAsync(DnsName host, RecordType type, IPEndPoint resolver, CancellationToken cancellation)
    {
        ushort id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        var query = DnsMessage.CreateQuery(id, host, type);
        query.Header.RecursionDesired = true;
        using var socket = new Socket(resolver.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(resolver);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(QueryTimeout);
        await socket.SendAsync(query.ToArray(), SocketFlags.None, deadline.Token).ConfigureAwait(false);
        var buffer = new byte[ushort.MaxValue];
        while (true)
        {
            int received = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
            if (DnsMessage.TryParse(buffer.AsSpan(0, received), out var reply) != DnsError.None || reply.Header.Id != id || !reply.Header.IsResponse)
            {
                continue; // not ours: keep waiting until the deadline
            }
            return reply.Answers.Select(r => r.Data switch
            {
                AData a when type == RecordType.A => a.Address,
                AaaaData aaaa when type == RecordType.AAAA => aaaa.Address,
                _ => null,
            }).OfType<IPAddress>().ToList();
        }
    }
}

/// <summary>An upstream host name that did not resolve; the message says why.</summary>
internal sealed class UpstreamResolutionException(string message) : Exception(message);
