using System.Globalization;
using ClusterDns.Kubernetes.Connection;
using ClusterDns.Kubernetes.Connection.Oidc;
using ClusterDns.Kubernetes.Tests.Connection;
using ClusterDns.Testing.FakeApiServer;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Kubernetes.Tests.Api;

/// <summary>
/// The library's credentials under a running list/watch: exec plugins whose tokens expire, a rotated
/// service-account token, a 401 that makes the client fetch its token again, client certificates.
/// </summary>
public sealed class ApiAuthenticationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clusterdns-auth-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Service(string name, string ip) =>
        $$$"""{"metadata":{"name":"{{{name}}}","namespace":"ns","labels":{}},"spec":{"type":"ClusterIP","clusterIP":"{{{ip}}}","ports":[{"name":"http","port":80,"protocol":"TCP"}]}}""";

    private int Runs => File.Exists(Path.Combine(_directory, "runs")) ? int.Parse(File.ReadAllText(Path.Combine(_directory, "runs")).Trim(), CultureInfo.InvariantCulture) : 0;

    /// <summary>
    /// A kubeconfig whose user is an exec plugin: a shell script that counts its runs in a file and prints an
    /// ExecCredential with the token from the file "token" (or "exec-RUN" when that file is absent), expiring
    /// <paramref name="lifetime"/> from now.
    /// </summary>
    private string WriteExecKubeConfig(ClusterDns.Testing.FakeApiServer.FakeKubernetesApiServer server, string lifetime)
    {
        var script = Path.Combine(_directory, "credential.sh");
        File.WriteAllText(script, $$$"""
            #!/bin/sh
            dir='{{{_directory}}}'
            runs=$(( $(cat "$dir/runs" 2>/dev/null || echo 0) + 1 ))
            echo "$runs" > "$dir/runs"
            token=$(cat "$dir/token" 2>/dev/null || echo "exec-$runs")
            expires=$(date -u -d '{{{lifetime}}}' +%Y-%m-%dT%H:%M:%SZ)
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}' "$token" "$expires"
            """);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), server.CertificateAuthority.CertificatePem);
        var path = Path.Combine(_directory, "kubeconfig");
        File.WriteAllText(path, KubeConfigText.OneContext(server.Server, "    certificate-authority: ca.crt", $"""
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: {script}
                  interactiveMode: Never
            """));
        return path;
    }

    [Fact]
    public async Task ExecTokenThatExpiresIsFetchedAgainWithoutDroppingTheWatch()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        for (var i = 1; i <= 100; i++) h.Server.AcceptedTokens["exec-" + i] = true;
        // Expired as soon as it is printed: every new request must run the plugin again.
        var path = WriteExecKubeConfig(h.Server, "now");
        Assert.True(KubeConfigLoader.TryLoad(path, null, out var connection, out var error), error);
        var firstWatch = h.NextRequestAsync("watch=true");
        h.Start([ResourceKind.Service], connection: connection);
        await h.SyncAsync();
        var watchLine = await firstWatch;
        var runsAtWatch = Runs;
        var watchToken = watchLine[(watchLine.LastIndexOf(" token:", StringComparison.Ordinal) + 7)..];

        // The open watch outlives its token: the server checked it once, at the start.
        h.Server.AcceptedTokens.TryRemove(watchToken, out _);
        h.Store.Apply("services", Service("during", "10.96.0.5"));
        Assert.Equal("ns/during", (await h.Changes.NextAsync()).Key);
        Assert.Single(h.Server.Requests, r => r.Contains("watch=true", StringComparison.Ordinal));

        // The next watch resumes (no relist) with a token the plugin printed again.
        var nextWatch = h.NextRequestAsync("watch=true");
        h.Store.DisconnectWatches();
        var line = await nextWatch;
        Assert.DoesNotContain(" token:" + watchToken, line);
        Assert.Matches(" token:exec-[0-9]+$", line);
        Assert.True(Runs > runsAtWatch, $"the plugin ran {Runs} times, {runsAtWatch} before the token expired");
        Assert.Single(h.Server.Requests, r => !r.Contains("watch=true", StringComparison.Ordinal));
        h.Store.Apply("services", Service("after", "10.96.0.6"));
        Assert.Equal("ns/after", (await h.Changes.NextAsync()).Key);
    }

    [Fact]
    public async Task UnauthorizedMakesTheExecPluginRunAgain()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        File.WriteAllText(Path.Combine(_directory, "token"), "first");
        h.Server.AcceptedTokens["first"] = true;
        // Valid for an hour: only a 401 can make the client run the plugin before then.
        var path = WriteExecKubeConfig(h.Server, "+1 hour");
        Assert.True(KubeConfigLoader.TryLoad(path, null, out var connection, out var error), error);
        h.Start([ResourceKind.Service], connection: connection);
        await h.SyncAsync();
        var runsBefore = Runs;

        File.WriteAllText(Path.Combine(_directory, "token"), "second");
        h.Server.AcceptedTokens["second"] = true;
        h.Server.AcceptedTokens.TryRemove("first", out _);
        var accepted = h.NextRequestAsync(" token:second");
        h.Store.DisconnectWatches();

        Assert.Contains("watch=true", await accepted);
        Assert.Equal(runsBefore + 1, Runs);
        h.Store.Apply("services", Service("after-revocation", "10.96.0.7"));
        Assert.Equal("ns/after-revocation", (await h.Changes.NextAsync()).Key);
    }

    [Fact]
    public async Task OidcIdTokenRevokedMidWatchIsRefreshedAndTheWatchResumes()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        await using var issuer = await FakeOidcIssuer.StartAsync();
        issuer.Issued = token => h.Server.AcceptedTokens[token] = true;
        var first = FakeOidcIssuer.Jwt("first", DateTimeOffset.UtcNow.AddHours(1));
        h.Server.AcceptedTokens[first] = true;
        var provider = new OidcTokenProvider(new OidcIssuer(issuer.Url, "clusterdns", "", new HttpClient()), first, "refresh-0");
        var log = new RecordingLogger();
        h.Start([ResourceKind.Service], connection: h.Connection(() => provider), logger: log);
        await h.SyncAsync();
        Assert.Equal(0, issuer.DiscoveryCalls);

        // Revoked while its exp is an hour away: the next watch gets a 401, refreshes and resumes (no relist).
        h.Server.AcceptedTokens.TryRemove(first, out _);
        var accepted = h.NextRequestAsync(" token:");
        h.Store.DisconnectWatches();

        var line = await accepted;
        Assert.Contains("watch=true", line);
        Assert.DoesNotContain(first, line);
        Assert.Equal("refresh-0", Assert.Single(issuer.TokenRequests).RefreshToken);
        Assert.Contains(log.At(LogLevel.Information), m => m.StartsWith("oidc: refreshed the id-token", StringComparison.Ordinal));
        Assert.Single(h.Server.Requests, r => !r.Contains("watch=true", StringComparison.Ordinal));
        h.Store.Apply("services", Service("after-refresh", "10.96.0.9"));
        Assert.Equal("ns/after-refresh", (await h.Changes.NextAsync()).Key);
    }

    [Fact]
    public async Task InClusterTokenRotatedMidWatchIsPickedUp()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        var token = Path.Combine(_directory, "token");
        File.WriteAllText(token, "old-token\n");
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), h.Server.CertificateAuthority.CertificatePem);
        h.Server.AcceptedTokens["old-token"] = true;
        Assert.True(KubernetesConnection.TryCreateInCluster("127.0.0.1", h.Server.Server.Port.ToString(CultureInfo.InvariantCulture), _directory,
            out var connection, out var error), error);
        h.Start([ResourceKind.Service], connection: connection);
        await h.SyncAsync();

        // The kubelet rotates the bound token; the API server stops taking the old one.
        File.WriteAllText(token, "new-token\n");
        h.Server.AcceptedTokens["new-token"] = true;
        h.Server.AcceptedTokens.TryRemove("old-token", out _);
        var accepted = h.NextRequestAsync(" token:new-token");
        h.Store.DisconnectWatches();

        Assert.Contains("watch=true", await accepted);
        h.Store.Apply("services", Service("after-rotation", "10.96.0.8"));
        Assert.Equal("ns/after-rotation", (await h.Changes.NextAsync()).Key);
        Assert.Single(h.Server.Requests, r => !r.Contains("watch=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RejectedCredentialsAreReportedAndRetriedUntilAccepted()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        var retried = h.NextRequestAsync(" token:late");
        h.Start([ResourceKind.Namespace], connection: h.Connection(TokenSources.Fixed("late")));
        await h.NextRequestAsync(" none");

        h.Server.AcceptedTokens["late"] = true;

        await retried;
        await h.SyncAsync();
        Assert.Null(h.Source.LastError);
        Assert.True(h.Source.IsConnected);
    }

    [Fact]
    public async Task ClientCertificateAuthenticates()
    {
        await using var h = await ApiTestHarness.CreateAsync();
        h.Start([ResourceKind.Namespace], connection: h.CertificateConnection(h.Server.CertificateAuthority.IssueClient("clusterdns")));

        await h.SyncAsync();

        Assert.All(h.Server.Requests, r => Assert.EndsWith(" cert:clusterdns", r));
    }
}
