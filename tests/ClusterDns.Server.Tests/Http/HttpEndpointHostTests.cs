using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using ClusterDns.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Http;

public sealed class HttpEndpointHostTests
{
    private static readonly IPEndPoint Any = new(IPAddress.Loopback, 0);

    [Fact]
    public async Task Plugins_naming_the_same_address_share_one_server()
    {
        await using var host = new HttpEndpointHost(NullLoggerFactory.Instance);
        var routes = new HttpRouteSet();
        routes.Map(Any, "/a", Text("first a"));
        routes.Map(Any, "/b", Text("b"));
        routes.Map(Any, "/a", Text("second a"));

        await host.ApplyAsync(routes, CancellationToken.None);
        var port = host.GetBoundEndPoint(Any)!.Port;

        using var http = new HttpClient();
        Assert.Equal("first a", await http.GetStringAsync($"http://127.0.0.1:{port}/a"));
        Assert.Equal("b", await http.GetStringAsync($"http://127.0.0.1:{port}/b"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{port}/c")).StatusCode);
    }

    [Fact]
    public async Task A_new_route_set_keeps_the_socket_and_an_old_set_releases_nothing()
    {
        await using var host = new HttpEndpointHost(NullLoggerFactory.Instance);
        var first = new HttpRouteSet();
        first.Map(Any, "/v", Text("1"));
        var second = new HttpRouteSet();
        second.Map(Any, "/v", Text("2"));

        await host.ApplyAsync(first, CancellationToken.None);
        var port = host.GetBoundEndPoint(Any)!.Port;
        await host.ApplyAsync(second, CancellationToken.None);
        // The replaced pipeline stops after the swap: that must not close the new one's endpoints.
        await host.ReleaseAsync(first, CancellationToken.None);

        using var http = new HttpClient();
        Assert.Equal(port, host.GetBoundEndPoint(Any)!.Port);
        Assert.Equal("2", await http.GetStringAsync($"http://127.0.0.1:{port}/v"));

        await host.ReleaseAsync(second, CancellationToken.None);
        Assert.Null(host.GetBoundEndPoint(Any));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync($"http://127.0.0.1:{port}/v"));
    }

    [Fact]
    public async Task An_address_in_use_fails_the_apply_and_keeps_the_current_set()
    {
        using var blocker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blocker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blocker.Listen();
        var taken = (IPEndPoint)blocker.LocalEndPoint!;

        await using var host = new HttpEndpointHost(NullLoggerFactory.Instance);
        var current = new HttpRouteSet();
        current.Map(Any, "/v", Text("current"));
        await host.ApplyAsync(current, CancellationToken.None);
        var port = host.GetBoundEndPoint(Any)!.Port;
        var next = new HttpRouteSet();
        next.Map(Any, "/v", Text("next"));
        next.Map(taken, "/metrics", Text("m"));

        await Assert.ThrowsAnyAsync<IOException>(() => host.ApplyAsync(next, CancellationToken.None));

        using var http = new HttpClient();
        Assert.Equal("current", await http.GetStringAsync($"http://127.0.0.1:{port}/v"));
    }

    private static RequestDelegate Text(string body) => context => context.Response.WriteAsync(body);
}
