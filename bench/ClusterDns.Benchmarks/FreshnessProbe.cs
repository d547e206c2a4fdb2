using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Protocol;

namespace ClusterDns.Benchmarks;

/// <summary>
/// Freshness: creates Services one after another in the API server and, for each, asks the DNS server for
/// its name until the answer is NOERROR with an address. The time from the store's write (the watch event
/// leaves then) to that first correct answer is one sample. Each probe waits at most 1 ms for a reply before
/// asking again, so the figures are within about a millisecond.
/// </summary>
internal static class FreshnessProbe
{
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(5);

    public static async Task<string> RunAsync(FakeResourceStore store, int changes, int dnsPort)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(new IPEndPoint(IPAddress.Loopback, dnsPort));
        socket.ReceiveTimeout = 1;
        var samples = new List<double>(changes);
        int timeouts = 0;
        var reply = new byte[1232];
        var run = Random.Shared.Next(0, 1 << 16);
        for (int i = 0; i < changes; i++)
        {
            string name = $"fresh{run}x{i}";
            var query = DnsMessage.CreateQuery((ushort)i, DnsName.Parse($"{name}.ns0.svc.cluster.local."), RecordType.A).ToArray();
            string ip = $"10.100.{(i >> 8) & 255}.{i & 255}";
            string json = "{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"ns0\"},\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"" + ip
                + "\",\"clusterIPs\":[\"" + ip + "\"],\"ports\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"TCP\"}]}}";
            long start = Stopwatch.GetTimestamp();
            store.Apply("services", json);
            bool answered = false;
            while (Stopwatch.GetElapsedTime(start) < GiveUp)
            {
                socket.Send(query);
                if (TryReceiveAnswer(socket, reply, (ushort)i))
                {
                    answered = true;
                    break;
                }
            }
            if (answered)
            {
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            else
            {
                timeouts++;
            }
            // Spread the changes out a little, as a real cluster's would be.
            await Task.Delay(2).ConfigureAwait(false);
        }
        for (int i = 0; i < changes; i++)
        {
            store.Delete("services", $"ns0/fresh{run}x{i}");
        }
        samples.Sort();
        return string.Create(CultureInfo.InvariantCulture,
            $"fresh n={samples.Count} p50_ms={Percentile(samples, 0.50):F2} p99_ms={Percentile(samples, 0.99):F2} max_ms={(samples.Count > 0 ? samples[^1] : double.NaN):F2} timeouts={timeouts}");
    }

    /// <summary>True for the reply to <paramref name="id"/> when it is NOERROR with at least one answer.</summary>
    private static bool TryReceiveAnswer(Socket socket, byte[] reply, ushort id)
    {
        while (true)
        {
            int length;
            try
            {
                length = socket.Receive(reply);
            }
            catch (SocketException)
            {
                return false; // 1 ms passed (or ICMP): ask again
            }
            if (length < DnsHeader.Size || reply[0] != (byte)(id >> 8) || reply[1] != (byte)id)
            {
                continue; // a late reply to an earlier probe
            }
            int rcode = reply[3] & 0xF;
            int answers = reply[6] << 8 | reply[7];
            return rcode == 0 && answers > 0;
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];
}
