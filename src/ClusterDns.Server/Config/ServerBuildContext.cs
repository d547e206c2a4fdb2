using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Config;

/// <summary>What every plugin setup of one Corefile load shares: logging, paths, and what the pipeline must run.</summary>
public sealed class ServerBuildContext
{
    public ServerBuildContext(string corefilePath, ILoggerFactory? loggerFactory = null, Func<string, string?>? environment = null)
    {
        CorefilePath = corefilePath;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
    }

    public string CorefilePath { get; }

    public ILoggerFactory LoggerFactory { get; }

    public Func<string, string?> Environment { get; }

    /// <summary>Components to run while this pipeline serves.</summary>
    public List<IServerComponent> Components { get; } = new();

    /// <summary>Handlers and components that can be not ready (the <c>ready</c> plugin asks them).</summary>
    public List<IReadinessReporter> Readiness { get; } = new();

    /// <summary>Shared objects keyed by type, so plugins in several blocks can share one instance (e.g. one metrics registry).</summary>
    public Dictionary<Type, object> Shared { get; } = new();

    public T GetOrAddShared<T>(Func<T> create) where T : class
    {
        if (Shared.TryGetValue(typeof(T), out var existing))
        {
            return (T)existing;
        }
        var created = create();
        Shared[typeof(T)] = created;
        return created;
    }

    /// <summary>Resolves a path from the Corefile: relative paths are relative to the Corefile's folder.</summary>
    public string ResolvePath(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(CorefilePath)) ?? ".", path));
}
