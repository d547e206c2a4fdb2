using System.Net;
using System.Net.Security;
using ClusterDns.Server.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Listeners;

/// <summary>
/// DNS over HTTPS (RFC 8484) on Kestrel: HTTP/2 and HTTP/1.1 over TLS (ALPN), or HTTP/1.1 in the clear when the
/// block has no certificate (a proxy in front terminates TLS). Its own Kestrel server rather than the shared HTTP
/// host: a DoH port is a DNS listener, swapped with its port's router on reload and counted per transport.
/// Kestrel bounds what a client can hold: connections, HTTP/2 streams, header and body sizes, slow readers and
/// writers (its minimum data rates).
/// </summary>
public sealed class DohListener : IDnsListener
{
    private readonly WebApplication _app;

    /// <param name="tls">The handshake options, read per connection (certificates rotate); null serves plain HTTP/1.1.</param>
    public DohListener(IPEndPoint endPoint, QueryProcessor processor, QueryContextPool pool, ILoggerFactory loggerFactory, DohListenerOptions options,
        Func<SslServerAuthenticationOptions>? tls, ITransportObserver? observer)
    {
        Handler = new DohRequestHandler(processor, pool, observer);
        try
        {
            _app = StartOn(endPoint, loggerFactory, options, tls);
        }
        catch (IOException) when (endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            // "Every address" where IPv6 is disabled (some network namespaces): IPv4 only.
            endPoint = new IPEndPoint(IPAddress.Any, endPoint.Port);
            _app = StartOn(endPoint, loggerFactory, options, tls);
        }
        var first = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        LocalEndPoint = first is not null && Uri.TryCreate(first, UriKind.Absolute, out var uri) ? new IPEndPoint(endPoint.Address, uri.Port) : endPoint;
        Handler.Bind(LocalEndPoint);
    }

    internal DohRequestHandler Handler { get; }

    public IPEndPoint LocalEndPoint { get; }

    public string Protocol => "https";

    /// <summary>Kestrel accepts from construction on (binding is where a port conflict must surface).</summary>
    public void Start()
    {
    }

    private WebApplication StartOn(IPEndPoint endPoint, ILoggerFactory loggerFactory, DohListenerOptions options, Func<SslServerAuthenticationOptions>? tls)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = options.MaxConnections > 0 ? options.MaxConnections : null;
            kestrel.Limits.MaxConcurrentUpgradedConnections = 0;
            kestrel.Limits.Http2.MaxStreamsPerConnection = options.MaxStreams > 0 ? options.MaxStreams : int.MaxValue;
            // A DNS message is at most 65535 bytes: a longer body is refused (413) before it is read.
            kestrel.Limits.MaxRequestBodySize = DnsQueryContext.BufferSize;
            kestrel.Limits.RequestHeadersTimeout = options.ReadTimeout;
            kestrel.Limits.KeepAliveTimeout = options.IdleTimeout;
            kestrel.Listen(endPoint, listen =>
            {
                if (tls is null)
                {
                    listen.Protocols = HttpProtocols.Http1;
                    return;
                }
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = _ => ValueTask.FromResult(tls()),
                    HandshakeTimeout = options.ReadTimeout,
                });
            });
        });
        builder.Services.AddSingleton(loggerFactory);
        // The server process owns signals; this inner host must not react to SIGTERM itself.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        var app = builder.Build();
        app.Run(Handler.HandleAsync);
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch
        {
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return app;
    }

    public async Task StopAsync(TimeSpan drain)
    {
        // Kestrel stops accepting at once and lets requests in progress finish within the drain time.
        using var timeout = new CancellationTokenSource(drain);
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Drain time over: the rest are aborted.
        }
        // A stopped port is not disposed by the server again: release Kestrel's services now.
        await DisposeAsync().ConfigureAwait(false);
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
