using ClusterDns.Server.Config;
using ClusterDns.Server.Hosting;
using ClusterDns.Testing.Network;
using Microsoft.Extensions.Logging.Abstractions;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Tests.Support;

/// <summary>
/// The real <see cref="DnsServer"/> in-process, built from a Corefile written into a fresh folder with the files
/// it names; <c>{PORT}</c> in the Corefile becomes a free port, so real clients (dig) can ask it.
/// </summary>
internal sealed class CorefileServer : IAsyncDisposable
{
    private CorefileServer(string directory, int port, CorefileLoader loader, ServerPipeline pipeline, DnsServer server)
    {
        Directory = directory;
        Port = port;
        Loader = loader;
        Pipeline = pipeline;
        Server = server;
    }

    public string Directory { get; }

    public int Port { get; }

    public string CorefilePath => Path.Combine(Directory, "Corefile");

    public CorefileLoader Loader { get; }

    public ServerPipeline Pipeline { get; }

    public DnsServer Server { get; }

    /// <param name="files">Relative path → content, written before the server starts (folders are created).</param>
    public static async Task<CorefileServer> StartAsync(string corefile, IReadOnlyDictionary<string, string>? files = null, TimeSpan? retireGrace = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("clusterdns-test-").FullName;
        foreach (var (relative, content) in files ?? new Dictionary<string, string>())
        {
            var path = Path.Combine(directory, relative);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content);
        }
        int port = FreePorts.Loopback();
        await File.WriteAllTextAsync(Path.Combine(directory, "Corefile"), WithPort(corefile, port));
        var loader = new CorefileLoader(NullLoggerFactory.Instance);
        var pipeline = loader.Load(Path.Combine(directory, "Corefile"));
        var server = new DnsServer(NullLoggerFactory.Instance) { RetireGrace = retireGrace ?? TimeSpan.FromSeconds(10) };
        await server.StartAsync(pipeline, CancellationToken.None);
        return new CorefileServer(directory, port, loader, pipeline, server);
    }

    public static string WithPort(string corefile, int port) =>
        corefile.Replace("{PORT}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Waits (bounded) for every kubernetes source of the first pipeline to finish its first list.</summary>
    public Task ClusterSyncedAsync() =>
        Task.WhenAll(Pipeline.Components.OfType<ClusterZoneComponent>().Select(c => c.FirstSync)).WaitAsync(TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(TimeSpan.Zero, CancellationToken.None);
        await Server.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
