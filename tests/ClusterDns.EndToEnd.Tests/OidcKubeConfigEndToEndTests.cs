using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// The real executable (and, in ./test.sh, the native one: the refresh's JSON is source-generated) with a
/// kubeconfig whose oidc id-token has expired: it refreshes through the issuer and serves the cluster zone.
/// </summary>
public sealed class OidcKubeConfigEndToEndTests : IAsyncLifetime
{
    private FakeKubernetesApiServer _api = null!;
    private FakeOidcIssuer _issuer = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApiServer.StartAsync();
        _issuer = await FakeOidcIssuer.StartAsync();
        _issuer.Issued = token => _api.AcceptedTokens[token] = true;
        // Only tokens from the issuer open the API server.
        _api.AcceptedTokens.Clear();
        _api.Store.Apply("namespaces", """{"metadata":{"name":"shop"}}""");
        _api.Store.Apply("services", """{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.20","ports":[{"name":"http","port":80,"protocol":"TCP"}]}}""");
    }

    public async Task DisposeAsync()
    {
        await _issuer.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task An_expired_oidc_id_token_is_refreshed_and_the_cluster_zone_is_served()
    {
        var expired = FakeOidcIssuer.Jwt("from-kubeconfig", DateTimeOffset.UtcNow.AddMinutes(-5));
        var user = $"""
                token: {_api.Token}
            """;
        var kubeconfig = _api.KubeConfig().Replace(user.TrimEnd(), $"""
                auth-provider:
                  name: oidc
                  config:
                    idp-issuer-url: {_issuer.Url}
                    client-id: clusterdns
                    refresh-token: refresh-0
                    id-token: {expired}
            """.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain(_api.Token, kubeconfig);

        await using var server = ServerProcess.Start("""
            cluster.local:{PORT} {
                bind 127.0.0.1
                kubernetes cluster.local {
                    kubeconfig kubeconfig
                }
            }
            """, prepare: directory => File.WriteAllText(Path.Combine(directory, "kubeconfig"), kubeconfig));
        await server.WaitUntilAnsweringAsync("web.shop.svc.cluster.local", "A");

        Assert.Equal("refresh-0", Assert.Single(_issuer.TokenRequests).RefreshToken);
        Assert.Contains("oidc: refreshed the id-token", server.Output);
        // Refreshed before the first request: no request was refused (an unaccepted token shows as "none").
        Assert.All(_api.Requests, r => Assert.Matches(" token:ey[^ ]+$", r));
    }
}
