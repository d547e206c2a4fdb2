using ClusterDns.Testing.Files;

namespace ClusterDns.Deploy.Tests;

/// <summary>Paths in the checkout the tests run from.</summary>
internal static class Repository
{
    public static string Root => RepositoryPaths.Root;

    public static string Deploy => Path.Combine(Root, "deploy");

    public static string PathOf(params string[] parts) => RepositoryPaths.PathOf(parts);

    public static string TestData(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "testdata", .. parts]);
}
