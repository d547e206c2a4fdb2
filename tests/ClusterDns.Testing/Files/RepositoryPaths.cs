namespace ClusterDns.Testing.Files;

/// <summary>Finds files of the repository (zones/, the demo cluster, deploy/) from the test's output folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Zones => Path.Combine(Root, "zones");

    public static string DemoCluster => Path.Combine(Root, "zones", "demo-cluster");

    /// <summary>zones/example.org.zone, the sample zone.</summary>
    public static string SampleZone => Path.Combine(Root, "zones", "example.org.zone");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Copies a folder's files (the demo cluster) so a test may edit them.</summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClusterDns.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ClusterDns.sln not found above " + AppContext.BaseDirectory);
    }
}
