using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Http;

/// <summary>
/// The HTTP servers of the process: one Kestrel server per distinct address, shared by every plugin that names
/// that address (<c>health</c>, <c>ready</c>, <c>prometheus</c>). Survives reloads: a new route set keeps the
/// sockets of addresses it still uses, opens new ones and closes the rest.
/// </summary>
public sealed partial class HttpEndpointHost : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<IPEndPoint, EndpointServer> _servers = new();
    private HttpRouteSet? _active;

    public HttpEndpointHost(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<HttpEndpointHost>();
    }

    /// <summary>The address a configured endpoint actually listens on (port 0 in tests becomes a real port).</summary>
    public IPEndPoint? GetBoundEndPoint(IPEndPoint configured)
    {
        _gate.Wait();
        try
        {
            return _servers.TryGetValue(configured, out var server) ? server.BoundEndPoint : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Serves <paramref name="routes"/> from now on. A socket that cannot be opened fails the call and changes nothing.</summary>
    public async Task ApplyAsync(HttpRouteSet routes, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = new List<(IPEndPoint, EndpointServer)>();
            try
            {
                foreach (var address in routes.Addresses)
                {
                    var tls = routes.TlsFor(address);
                    if (_servers.TryGetValue(address, out var running) && running.TlsIdentity != tls?.Identity)
                    {
                        // HTTP became HTTPS (or the certificate changed): the socket must be reopened.
                        await running.DisposeAsync().ConfigureAwait(false);
                        _servers.Remove(address);
                    }
                    if (!_servers.ContainsKey(address))
                    {
                        var server = new EndpointServer(address, tls, _loggerFactory);
                        await server.StartAsync(cancellationToken).ConfigureAwait(false);
                        started.Add((address, server));
                        LogListening(_logger, server.BoundEndPoint);
                    }
                }
            }
            catch
            {
                foreach (var (_, server) in started)
                {
                    await server.DisposeAsync().ConfigureAwait(false);
                }
                throw;
            }
            foreach (var (address, server) in started)
            {
                _servers[address] = server;
            }
            foreach (var (address, server) in _servers)
            {
                server.Routes = routes.RoutesFor(address);
            }
            foreach (var address in _servers.Keys.Where(a => !routes.Addresses.Contains(a)).ToArray())
            {
                await _servers[address].DisposeAsync().ConfigureAwait(false);
                _servers.Remove(address);
            }
            _active = routes;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes every server if <paramref name="routes"/> is still the set being served (its pipeline stopped for good).</summary>
    public async Task ReleaseAsync(HttpRouteSet routes, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(_active, routes))
            {
                return;
            }
            await CloseAllAsync().ConfigureAwait(false);
            _active = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await CloseAllAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CloseAllAsync()
    {
        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
        _servers.Clear();
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "HTTP endpoints listening on {EndPoint}")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint);

    /// <summary>One Kestrel server on one address; requests are dispatched by exact path to the current routes.</summary>
    private sealed class EndpointServer : IAsyncDisposable
    {
        private readonly IPEndPoint _configured;
        private readonly HttpTlsSettings? _tls;
        private readonly ILoggerFactory _loggerFactory;
        private WebApplication? _app;
        private IReadOnlyDictionary<string, RequestDelegate> _routes = new Dictionary<string, RequestDelegate>();

        public EndpointServer(IPEndPoint configured, HttpTlsSettings? tls, ILoggerFactory loggerFactory)
        {
            _configured = configured;
            _tls = tls;
            _loggerFactory = loggerFactory;
            BoundEndPoint = configured;
        }

        public IPEndPoint BoundEndPoint { get; private set; }

        public string? TlsIdentity => _tls?.Identity;

        public IReadOnlyDictionary<string, RequestDelegate> Routes
        {
            get => Volatile.Read(ref _routes);
            set => Volatile.Write(ref _routes, value);
        }

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            try
            {
                await StartOnAsync(_configured, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException) when (_configured.Address.Equals(IPAddress.IPv6Any))
            {
                // "Every address" where IPv6 is disabled (some network namespaces): IPv4 only.
                await StartOnAsync(new IPEndPoint(IPAddress.Any, _configured.Port), cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException) when (_configured.Address.Equals(IPAddress.IPv6Any))
            {
                await StartOnAsync(new IPEndPoint(IPAddress.Any, _configured.Port), cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task StartOnAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore();
            builder.WebHost.ConfigureKestrel(options =>
            {
                options.AddServerHeader = false;
                options.Listen(endPoint, listen =>
                {
                    if (_tls is { } tls)
                    {
                        listen.UseHttps(new HttpsConnectionAdapterOptions
                        {
                            ServerCertificate = tls.Certificate,
                            SslProtocols = HttpTlsSettings.Protocols,
                            ClientCertificateMode = tls.ClientAuthorities is null ? ClientCertificateMode.NoCertificate : ClientCertificateMode.RequireCertificate,
                            ClientCertificateValidation = tls.ClientAuthorities is null ? null : (certificate, _, _) => tls.IsTrustedClient(certificate),
                        });
                    }
                });
            });
            builder.Services.AddSingleton<ILoggerFactory>(new FrameworkLogFilter(_loggerFactory));
            // The server process owns signals; this inner host must not react to SIGTERM itself.
            builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
            var app = builder.Build();
            app.Run(DispatchAsync);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            _app = app;
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            var first = addresses?.FirstOrDefault();
            BoundEndPoint = first is not null && Uri.TryCreate(first, UriKind.Absolute, out var uri)
                ? new IPEndPoint(endPoint.Address, uri.Port)
                : endPoint;
        }

        private Task DispatchAsync(HttpContext context)
        {
            if (Routes.TryGetValue(context.Request.Path.Value ?? "/", out var handler))
            {
                return handler(context);
            }
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is { } app)
            {
                _app = null;
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await app.StopAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
