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
        GC.KeepAlive(cluster);
        return 0;
    }
}
