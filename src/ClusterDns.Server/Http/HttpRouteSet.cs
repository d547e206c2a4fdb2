using System.Net;
using Microsoft.AspNetCore.Http;

namespace ClusterDns.Server.Http;

/// <summary>
/// The HTTP endpoints one pipeline (one Corefile load) serves: per address, per path, a handler.
/// A reload builds a new set; <see cref="HttpEndpointHost"/> switches to it without closing sockets whose
/// address both sets use.
/// </summary>
public sealed class HttpRouteSet
{
    private readonly Dictionary<IPEndPoint, Dictionary<string, RequestDelegate>> _routes = new();
    private readonly Dictionary<IPEndPoint, HttpTlsSettings?> _tls = new();

    public IReadOnlyCollection<IPEndPoint> Addresses => _routes.Keys;

    /// <summary>
    /// Serves <paramref name="path"/> on <paramref name="address"/>. When several server blocks map the same
    /// address and path (e.g. <c>prometheus</c> in every block), the first mapping serves: they are equivalent.
    /// </summary>
    /// <returns>False when the address is already mapped with other TLS settings (plain HTTP counts as one).</returns>
    public bool Map(IPEndPoint address, string path, RequestDelegate handler, HttpTlsSettings? tls = null)
    {
        if (!_routes.TryGetValue(address, out var paths))
        {
            _routes[address] = paths = new Dictionary<string, RequestDelegate>(StringComparer.Ordinal);
            _tls[address] = tls;
        }
        else if (_tls[address]?.Identity != tls?.Identity)
        {
            return false;
        }
        paths.TryAdd(path, handler);
        return true;
    }

    internal HttpTlsSettings? TlsFor(IPEndPoint address) => _tls.GetValueOrDefault(address);

    internal IReadOnlyDictionary<string, RequestDelegate> RoutesFor(IPEndPoint address) =>
        _routes.TryGetValue(address, out var paths) ? paths : new Dictionary<string, RequestDelegate>();
}
