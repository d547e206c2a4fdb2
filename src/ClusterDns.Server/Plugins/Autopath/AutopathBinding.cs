using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Autopath;

/// <summary>
/// Connects <c>autopath @kubernetes</c> to the block's kubernetes handler once every directive is set up (the
/// Corefile may name autopath first), before the pipeline takes queries; warns once when that handler cannot
/// find pods. Found by name and seam (<see cref="IAutopathSearch"/>), never by the other plugin's types.
/// </summary>
internal sealed partial class AutopathBinding : IServerComponent
{
    private readonly AutopathHandler _handler;
    private readonly Func<IReadOnlyList<DnsHandler>> _handlers;
    private readonly string _origin;
    private readonly ILogger _logger;

    public AutopathBinding(AutopathHandler handler, Func<IReadOnlyList<DnsHandler>> handlers, string origin, ILogger logger)
    {
        _handler = handler;
        _handlers = handlers;
        _origin = origin;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var plugin = _handlers().FirstOrDefault(h => h.Name == AutopathSetup.Kubernetes) as IAutopathSearch;
        if (plugin is null || !plugin.FindsPods)
        {
            LogNoPods(_logger, _origin);
        }
        if (plugin is not null)
        {
            _handler.Bind(plugin);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1700, Level = LogLevel.Warning,
        Message = "autopath @kubernetes at {Origin}: the kubernetes block has no 'pods verified', so the server cannot tell which pod (and namespace) sent a query; autopath passes every query on unchanged, as CoreDNS does. Add 'pods verified' to the kubernetes block to enable it")]
    private static partial void LogNoPods(ILogger logger, string origin);
}
