using System.Diagnostics;
using System.Globalization;
using ClusterDns.Protocol;
using ClusterDns.Protocol.Text;
using ClusterDns.Server.Zones;

namespace ClusterDns.Benchmarks;

/// <summary>
/// `ixfr-apply [SERVICES]`: applying one IXFR difference (one new Service, 5 records) at a secondary holding a zone
/// of 5 records per Service, two ways in the same run: in place (<see cref="AuthoritativeZone.TryApply"/>, what the
/// secondary does) and the copy-and-rebuild it replaced (copy the record set, apply, build a whole zone with
/// <see cref="AuthoritativeZone.TryCreate"/>). Prints the median time and bytes allocated per apply of each, and the
/// managed heap of the record set the secondary used to keep beside the zone (docs/performance.md, zone feed).
/// </summary>
internal static class IxfrApplyCommand
{
    private static readonly DnsName Origin = DnsName.Parse("cluster.local.");

    public static int Run(string[] args)
    {
        int services = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;

        var soa = Parse("@ 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30")[0];
        var lines = Enumerable.Range(0, services).SelectMany(Service).Append("@ 30 IN NS ns.dns.cluster.local.").ToArray();

        // The record set alone holds its record objects (as the secondary's did): the parsed list is not kept.
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var snapshot = new ZoneSnapshot(soa, Parse(lines).ToHashSet());
        long heapWithSnapshot = GC.GetTotalMemory(forceFullCollection: true);
        if (!AuthoritativeZone.TryCreate(Origin, snapshot.Records.Prepend(soa), out var zone, out var error))
        {
            Console.Error.WriteLine(error);
            return 1;
        }
        long heapWithZone = GC.GetTotalMemory(forceFullCollection: true);

        var newSoa = Parse("@ 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 2 7200 1800 86400 30")[0];
        var difference = new ZoneDifference(soa, newSoa, [], Parse(Service(services).ToArray()));

        var (inPlace, rebuild) = Measure(rounds,
            () => zone.TryApply([difference], out var next, out _) ? next.RecordCount : -1,
            () => CopyAndRebuild(snapshot, difference));

        Console.WriteLine($"services={services} records={zone.RecordCount} nodes={zone.Nodes.Count()} difference={difference.Added.Count} records added");
        Console.WriteLine($"in place:          median {inPlace.Median:F3} ms (min {inPlace.Min:F3}), allocated {inPlace.Allocated / 1024.0:F1} KiB per apply");
        Console.WriteLine($"copy and rebuild:  median {rebuild.Median:F3} ms (min {rebuild.Min:F3}), allocated {rebuild.Allocated / 1048576.0:F1} MiB per apply");
        Console.WriteLine($"heap: record set (no longer kept) {(heapWithSnapshot - heapBefore) / 1048576.0:F1} MiB, zone {(heapWithZone - heapWithSnapshot) / 1048576.0:F1} MiB");
        GC.KeepAlive(snapshot);
        GC.KeepAlive(zone);
        return 0;
    }

    /// <summary>What the secondary did before: the record set copied and changed, then a whole zone built from it.</summary>
    private static int CopyAndRebuild(ZoneSnapshot from, ZoneDifference difference)
    {
        var records = new HashSet<DnsRecord>(from.Records);
        foreach (var record in difference.Deleted)
        {
            records.Remove(record);
        }
        records.UnionWith(difference.Added);
        var all = new List<DnsRecord>(records.Count + 1) { difference.ToSoa };
        all.AddRange(records);
        return AuthoritativeZone.TryCreate(Origin, all, out var zone, out _) ? zone.RecordCount : -1;
    }

    /// <summary>A Service of the node cache's zone: its address (v4, v6), one port's SRV, two endpoint names.</summary>
    private static IEnumerable<string> Service(int i)
    {
        var name = $"svc{i}.ns{i % 100}.svc";
        var address = $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}";
        yield return $"{name} 30 IN A {address}";
        yield return $"{name} 30 IN AAAA fd00::{i / 65536:x}:{i % 65536:x}";
        yield return $"_http._tcp.{name} 30 IN SRV 0 100 80 {name}.cluster.local.";
        yield return $"10-1-{i / 256 % 256}-{i % 256}.{name} 30 IN A 10.1.{i / 256 % 256}.{i % 256}";
        yield return $"10-2-{i / 256 % 256}-{i % 256}.{name} 30 IN A 10.2.{i / 256 % 256}.{i % 256}";
    }

    private static List<DnsRecord> Parse(params string[] lines)
    {
        var parsed = ZoneFileReader.Read(new StringReader(string.Join('\n', lines) + "\n"), "bench.zone", Origin);
        return parsed.Succeeded ? parsed.Records.ToList() : throw new InvalidDataException(parsed.Error!.ToString());
    }

    /// <summary>Both ways round after round, interleaved, so both see the same machine; median and min ms, bytes allocated per apply.</summary>
    private static ((double Median, double Min, long Allocated) First, (double Median, double Min, long Allocated) Second) Measure(int rounds, Func<int> first, Func<int> second)
    {
        var firstTimes = new List<double>(rounds);
        var secondTimes = new List<double>(rounds);
        long firstAllocated = Time(first, null);
        long secondAllocated = Time(second, null); // JIT and first touch out of the timed rounds
        firstAllocated = secondAllocated = 0;
        for (int i = 0; i < rounds; i++)
        {
            firstAllocated += Time(first, firstTimes);
            secondAllocated += Time(second, secondTimes);
        }
        return (Summary(firstTimes, firstAllocated / rounds), Summary(secondTimes, secondAllocated / rounds));
    }

    private static long Time(Func<int> apply, List<double>? times)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        if (apply() < 0)
        {
            throw new InvalidOperationException("the apply failed");
        }
        times?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static (double Median, double Min, long Allocated) Summary(List<double> times, long allocated)
    {
        times.Sort();
        return (times[times.Count / 2], times[0], allocated);
    }
}
