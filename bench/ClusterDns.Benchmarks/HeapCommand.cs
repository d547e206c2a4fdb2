namespace ClusterDns.Benchmarks;

/// <summary>
/// `heap [SERVICES]`: managed heap held by the cluster zone of the synthetic cluster (bytes per Service),
/// measured as the difference of full-GC heap sizes: the figure to watch when changing the zone builder.
/// </summary>
internal static class HeapCommand
{
    public static int Run(string[] args)
    {
        int services = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var cluster = new SyntheticCluster(services);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        int names = cluster.Builder.Current.NameCount;
        Console.WriteLine($"services={services} names={names} heap={(after - before) / 1048576.0:F1} MiB bytes/service={(after - before) / (services * 1.1):F0}");
        // The published index alone: entry arrays (24-byte array header each) and the shards' slot arrays.
        var index = cluster.Builder.Current;
        long entries = index.Entries().Sum(e => 24L + e.Blob.Length);
        long tables = index.Shards.Sum(s => 48L + 16L * s.Capacity);
        Console.WriteLine($"index: entries={entries / 1048576.0:F1} MiB ({entries / (double)names:F0} B/name) tables={tables / 1048576.0:F1} MiB; objects and builder: {(after - before - entries - tables) / 1048576.0:F1} MiB");
        GC.KeepAlive(cluster);
        return 0;
    }
}
