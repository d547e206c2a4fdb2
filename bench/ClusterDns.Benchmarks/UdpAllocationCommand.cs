using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Server.Listeners;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Benchmarks;

/// <summary>
/// <c>udp-alloc [QUERIES]</c>: the real UDP listener and query processor over the 10k-Service cluster, driven
/// over loopback; prints the process's managed allocation per query (all threads), to find what the
/// socket-less micro benchmarks cannot see.
/// </summary>
internal static class UdpAllocationCommand
{
    public static int Run(string[] args)
    {
        int queries = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 200_000;
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var cluster = new SyntheticCluster(10_000);
        long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"udp-alloc: the 10k-Service cluster (index and builder state) holds {(heapAfter - heapBefore) / 1048576.0:F1} MB of managed heap"));
        var block = new ServerBlockRuntime(cluster.Zones, cluster.Handler, [cluster.Handler]);
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);
        var listener = new UdpListener(new IPEndPoint(IPAddress.Loopback, 0), processor, new QueryContextPool(1232), NullLogger.Instance);
        listener.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Connect(listener.LocalEndPoint);
        client.ReceiveTimeout = 1000;
        var query = QueryBytes.Build("svc4242.ns42.svc.cluster.local.", RecordType.A);
        var reply = new byte[1232];

        Exchange(client, query, reply, 20_000); // warm-up: tiered compilation settles
        long before = GC.GetTotalAllocatedBytes(precise: true);
        int answered = Exchange(client, query, reply, queries);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"udp-alloc: {answered}/{queries} answered, {allocated} bytes allocated, {(double)allocated / Math.Max(1, answered):F2} B/query"));
        listener.StopAsync(TimeSpan.Zero).GetAwaiter().GetResult();
        return answered == queries ? 0 : 1;
    }

    /// <summary>Keeps 32 queries outstanding; returns the replies received.</summary>
    private static int Exchange(Socket client, byte[] query, byte[] reply, int count)
    {
        const int Window = 32;
        int sent = 0, received = 0;
        while (sent < Math.Min(Window, count))
        {
            client.Send(query);
            sent++;
        }
        while (received < count)
        {
            try
            {
                client.Receive(reply);
            }
            catch (SocketException)
            {
                break; // a lost datagram: stop rather than hang
            }
            received++;
            if (sent < count)
            {
                client.Send(query);
                sent++;
            }
        }
        return received;
    }
}
