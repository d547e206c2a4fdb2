namespace ClusterDns.Benchmarks;

/// <summary>
/// `heap [SERVICES] [PODS]`: managed heap held by the cluster zone of the synthetic cluster (bytes per Service),
/// measured as the difference of full-GC heap sizes: the figure to watch when changing the zone builder.
/// `heap N external` gives every ClusterIP Service a load balancer ingress IP (what k8s_external answers).
/// </summary>
internal static class HeapCommand
{
    public static int Run(string[] args)
    {
        int services = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        int pods = args.Length > 1 && args[1] != "external" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        long before = GC.GetTotalMemory(forceFullCollection: true);
        bool external = args.Contains("external");
        var cluster = new SyntheticCluster(services, pods: pods, externalAddresses: external);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        var index = cluster.Builder.Current;
        int names = index.NameCount;
        Console.WriteLine($"services={services} names={names} service records={index.ServiceCount} heap={(after - before) / 1048576.0:F1} MiB bytes/service={(after - before) / (services * 1.1):F0}");
        // The published index alone: entry and Service record arrays (24-byte array header each) and the shards' slot arrays.
        long entries = index.Entries().Sum(e => 24L + e.Blob.Length);
        long records = index.Services().Sum(s => 24L + s.Blob.Length);
        long tables = index.Shards.Concat(index.ServiceShards).Sum(s => 48L + 16L * s.Capacity);
        Console.WriteLine($"index: entries={entries / 1048576.0:F1} MiB ({entries / (double)Math.Max(names, 1):F0} B/name) service records={records / 1048576.0:F1} MiB ({records / (double)Math.Max(index.ServiceCount, 1):F0} B/service) "
            + $"tables={tables / 1048576.0:F1} MiB; builder (slices, pods, namespaces): {(after - before - entries - records - tables) / 1048576.0:F1} MiB");
        if (pods > 0)
        {
            // autopath's address -> namespace index: 12 bytes per IPv4 row plus the shards' array headers.
            var addresses = cluster.Builder.PodAddresses;
            Console.WriteLine($"pods={pods} pod address index: {addresses.Count} rows, ~{(addresses.Count * 12L + 256 * 4 * 24) / 1048576.0:F1} MiB");
        }
        GC.KeepAlive(cluster);
        return 0;
    }
}
