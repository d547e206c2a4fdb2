using System.Threading.Channels;
using ClusterDns.Kubernetes.Api;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Kubernetes;

/// <summary>
/// Lists and watches the API server, one informer per kind, and writes their changes to one channel.
/// Informers retry forever with backoff; readiness can use <see cref="FirstSync"/>, <see cref="IsSynced"/>
/// and <see cref="IsConnected"/>/<see cref="LastError"/>.
/// </summary>
public sealed partial class ApiServerSource : IClusterSource
{
    private readonly KubernetesConnection _connection;
    private readonly ApiServerSourceOptions _options;
    private readonly ILogger _logger;
    private readonly ResourceKind[] _kinds;
    private readonly InformerStatus _status;

    public ApiServerSource(KubernetesConnection connection, IReadOnlyCollection<ResourceKind> kinds, ApiServerSourceOptions? options = null, ILogger? logger = null)
    {
        _connection = connection;
        _options = options ?? new ApiServerSourceOptions();
        _logger = logger ?? NullLogger.Instance;
        _kinds = kinds.Distinct().ToArray();
        _status = new InformerStatus(_kinds);
    }

    public IReadOnlyCollection<ResourceKind> Kinds => _kinds;

    /// <summary>Completes when every kind has finished its first list.</summary>
    public Task FirstSync => _status.FirstSync;

    /// <summary>The latest failure of any informer; null once they all succeed again.</summary>
    public string? LastError => _status.LastError;

    /// <summary>Every informer's last request succeeded (its list completed or its watch is open).</summary>
    public bool IsConnected => _status.IsConnected;

    public bool IsSynced(ResourceKind kind) => _status.IsSynced(kind);

    /// <summary>Whether <paramref name="kind"/>'s watch is open, how long it has been down, the age of its last event.</summary>
    public WatchHealth? Watch(ResourceKind kind) => _kinds.Contains(kind) ? _status.Health(kind) : null;

    internal IReadOnlyList<Informer> Informers { get; private set; } = [];

    public bool TryGetKnown(ResourceKind kind, string key, out KnownObject known)
    {
        foreach (var informer in Informers)
        {
            if (informer.Kind == kind)
            {
                return informer.TryGetKnown(key, out known);
            }
        }
        known = default;
        return false;
    }

    public async Task RunAsync(ChannelWriter<ClusterChange> changes, CancellationToken ct)
    {
        using var http = _connection.CreateHttpClient(_logger);
        LogStarting(_logger, _connection.Description, string.Join(", ", _kinds));
        var informers = _kinds.Select(kind => new Informer(kind, http, _options, _logger, _status)).ToArray();
        Informers = informers;
        await Task.WhenAll(informers.Select(informer => informer.RunAsync(changes, ct))).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching the API server ({Connection}) for {Kinds}")]
    private static partial void LogStarting(ILogger logger, string connection, string kinds);
}
