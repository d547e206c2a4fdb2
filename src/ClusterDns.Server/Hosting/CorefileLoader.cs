using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using ClusterDns.Server.Plugins;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Hosting;

/// <summary>Reads a Corefile and builds its pipeline; every configuration error is a <see cref="CorefileException"/> with file:line.</summary>
public sealed class CorefileLoader
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly PluginRegistry _plugins;
    private readonly ProcessServices? _services;

    /// <param name="services">Seeded into every load so metrics, HTTP servers and shutdown state survive reloads.</param>
    public CorefileLoader(ILoggerFactory loggerFactory, PluginRegistry? plugins = null, ProcessServices? services = null)
    {
        _loggerFactory = loggerFactory;
        _plugins = plugins ?? BuiltInPlugins.CreateRegistry();
        _services = services;
    }

    public ServerPipeline Load(string path, int? portOverride = null)
    {
        var document = CorefileParser.ParseFile(path);
        var context = _services?.NewContext(path, _loggerFactory) ?? new ServerBuildContext(path, _loggerFactory);
        return new PipelineBuilder(_plugins).Build(document, context, portOverride);
    }

    /// <summary>The SHA-512 of the Corefile and its imports (what reload compares).</summary>
    public static string Hash(string path) => CorefileParser.ParseFile(path).ContentHash;
}
