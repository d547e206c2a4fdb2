using ClusterDns.Server.Http;

namespace ClusterDns.Server.Config;

/// <summary>Puts a pipeline's HTTP routes into service when the pipeline starts and takes them down when it stops.</summary>
internal sealed class HttpRoutesComponent : IServerComponent
{
    private readonly HttpEndpointHost _host;
    private readonly HttpRouteSet _routes;

    public HttpRoutesComponent(HttpEndpointHost host, HttpRouteSet routes)
    {
        _host = host;
        _routes = routes;
    }

    public Task StartAsync(CancellationToken cancellationToken) => _host.ApplyAsync(_routes, cancellationToken);

    // A newer pipeline may already have applied its own set; Release only stops servers if ours is still active.
    public Task StopAsync(CancellationToken cancellationToken) => _host.ReleaseAsync(_routes, cancellationToken);
}
