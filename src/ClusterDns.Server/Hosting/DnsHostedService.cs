using ClusterDns.Corefile;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Hosting;

/// <summary>
/// The DNS server as a Generic Host service: loads the Corefile at start (a bad one stops the start with
/// file:line), serves until the host stops, then drains.
/// </summary>
public sealed partial class DnsHostedService : IHostedService, IAsyncDisposable
{
    private readonly DnsServerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    public DnsHostedService(DnsServerOptions options, DnsServer server, ILoggerFactory loggerFactory)
    {
        _options = options;
        Server = server;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<DnsHostedService>();
    }

    public DnsServer Server { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var pipeline = new CorefileLoader(_loggerFactory).Load(_options.CorefilePath, _options.Port);
        LogStarting(_logger, _options.CorefilePath);
        await Server.StartAsync(pipeline, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Server.StopAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Serving from {Corefile}")]
    private static partial void LogStarting(ILogger logger, string corefile);
}
