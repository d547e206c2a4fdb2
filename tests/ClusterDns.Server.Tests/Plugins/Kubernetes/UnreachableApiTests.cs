using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Network;
using ClusterDns.Testing.Processes;
using ClusterDns.Server.Plugins.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>Started with no reachable API server, the server still answers: SERVFAIL for the cluster zone, and is not ready.</summary>
public sealed class UnreachableApiTests
{
    [Fact]
    public async Task Without_an_api_server_cluster_names_are_servfail_and_the_handler_is_not_ready()
    {
        int apiPort = FreePorts.Loopback();
        await using var server = await CorefileServer.StartAsync($$"""
            cluster.local:{PORT} {
                bind 127.0.0.1
                kubernetes cluster.local {
                    endpoint http://127.0.0.1:{{apiPort}}
                }
            }
            """);

        Assert.Equal("SERVFAIL", await DigClient.StatusAsync(server.Port, "web.default.svc.cluster.local A"));
        // The apex is ours whatever the API says.
        Assert.Equal("NOERROR", await DigClient.StatusAsync(server.Port, "dns-version.cluster.local TXT"));
        Assert.False(server.Server.IsReady);
        Assert.Equal(["kubernetes"], server.Server.NotReady.ToArray());
        Assert.False(server.Pipeline.Components.OfType<ClusterZoneComponent>().Single().IsReady);
    }
}
