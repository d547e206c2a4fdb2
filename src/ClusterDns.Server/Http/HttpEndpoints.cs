using System.Net;
using ClusterDns.Server.Config;
using Microsoft.AspNetCore.Http;

namespace ClusterDns.Server.Http;

/// <summary>How plugin setups publish HTTP endpoints: <c>HttpEndpoints.Map(block.Context, address, "/health", handler)</c>.</summary>
public static class HttpEndpoints
{
    /// <summary>
    /// Serves <paramref name="path"/> on <paramref name="address"/> while this pipeline runs. The process-wide
    /// <see cref="HttpEndpointHost"/> comes from the context's shared objects (the host seeds it; tests and
    /// single loads get one of their own).
    /// </summary>
    public static void Map(ServerBuildContext context, IPEndPoint address, string path, RequestDelegate handler) =>
        RoutesOf(context).Map(address, path, handler);

    /// <summary>The endpoint host serving this context's routes.</summary>
    public static HttpEndpointHost HostOf(ServerBuildContext context) =>
        context.GetOrAddShared(() => new HttpEndpointHost(context.LoggerFactory));

    private static HttpRouteSet RoutesOf(ServerBuildContext context) =>
        context.GetOrAddShared(() =>
        {
            var routes = new HttpRouteSet();
            // First among the components: probes answer while slower components (informers) still start.
            context.Components.Insert(0, new HttpRoutesComponent(HostOf(context), routes));
            return routes;
        });
}
