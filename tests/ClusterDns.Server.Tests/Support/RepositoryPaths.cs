namespace ClusterDns.Server.Tests.Support;

/// <summary>Finds files of the repository (zones/, the demo cluster) from the test's output folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Zones => Path.Combine(Root, "zones");

    public static string DemoCluster => Path.Combine(Root, "zones", "demo-cluster");

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
