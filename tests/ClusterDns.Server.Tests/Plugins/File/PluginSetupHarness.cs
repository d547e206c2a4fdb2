using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Tests.Plugins.FilePlugin;

/// <summary>Runs one plugin setup over the first server block of a Corefile text, as the pipeline builder does.</summary>
internal static class PluginSetupHarness
{
    public static ServerBlockBuilder Setup(IPluginSetup setup, string corefile, string corefilePath)
    {
        var document = CorefileParser.Parse(corefile, corefilePath);
        var block = document.ServerBlocks[0];
        var zones = block.Keys.Select(k => DnsName.Parse(k.Zone).ToLower()).Distinct().ToArray();
        var builder = new ServerBlockBuilder(block, zones, 53, new ServerBuildContext(corefilePath));
        foreach (var directive in block.Directives)
        {
            setup.Setup(directive, builder);
        }
        return builder;
    }

    public static T Handler<T>(ServerBlockBuilder builder) where T : DnsHandler => Assert.IsType<T>(Assert.Single(builder.Handlers));

    /// <summary>A temporary folder deleted at the end of a test.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("clusterdns-test-").FullName;

        public string Write(string name, string text)
        {
            string path = System.IO.Path.Combine(Path, name);
            System.IO.File.WriteAllText(path, text);
            return path;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
