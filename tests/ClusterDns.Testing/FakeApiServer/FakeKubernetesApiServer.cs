using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Testing.FakeApiServer;

/// <summary>
/// An HTTPS Kubernetes API server on 127.0.0.1 with an ephemeral port, speaking list and watch for
/// services, endpointslices, pods and namespaces from a <see cref="FakeResourceStore"/>.
/// Authentication: a bearer token in <see cref="AcceptedTokens"/> or a client certificate from <see cref="CertificateAuthority"/>.
/// </summary>
public sealed class FakeKubernetesApiServer : IAsyncDisposable
{
    private static readonly Dictionary<string, string> PathToResource = new(StringComparer.Ordinal)
    {
        ["/api/v1/services"] = "services",
        ["/apis/discovery.k8s.io/v1/endpointslices"] = "endpointslices",
        ["/api/v1/pods"] = "pods",
        ["/api/v1/namespaces"] = "namespaces",
        ["/apis/multicluster.x-k8s.io/v1alpha1/serviceimports"] = "serviceimports",
    };

    private readonly WebApplication _app;

    private FakeKubernetesApiServer(WebApplication app, TestCertificateAuthority ca, string token)
    {
        _app = app;
        CertificateAuthority = ca;
        Token = token;
        AcceptedTokens[token] = true;
    }

    public FakeResourceStore Store { get; } = new();

    public TestCertificateAuthority CertificateAuthority { get; }

    /// <summary>A token accepted from the start.</summary>
    public string Token { get; }

    /// <summary>Tokens the server accepts; tests add and remove them to simulate rotation.</summary>
    public ConcurrentDictionary<string, bool> AcceptedTokens { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request as "METHOD path?query auth", in arrival order, where auth is "token:T", "cert:CN" or "none".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Raised for every request with the same text as <see cref="Requests"/>, so tests can await one.</summary>
    public event Action<string>? RequestArrived;

    /// <summary>When set, a watch from a compacted resourceVersion gets HTTP 410 instead of a 200 stream with an ERROR event.</summary>
    public bool GoneAsHttpStatus { get; set; }

    /// <summary>Called with the resource before a list page that carries a continue token is served.</summary>
    public Action<string>? BeforeContinuedList { get; set; }

    /// <summary>When set, every new watch gets HTTP 503: a client kept away while the test changes history.</summary>
    public bool RefuseWatches { get; set; }

    /// <summary>
    /// Whether the ServiceImport CRD (multicluster.x-k8s.io/v1alpha1) is installed; without it its path is 404
    /// NotFound, as on a cluster without the MCS API. Tests install it later to see it picked up.
    /// </summary>
    public bool ServiceImportCrdInstalled { get; set; } = true;

    public Uri Server { get; private set; } = null!;

    public static Task<FakeKubernetesApiServer> StartAsync() => StartAsync(port: 0, ca: null, token: null);

    /// <summary>
    /// Starts on <paramref name="port"/> (0: ephemeral) with <paramref name="ca"/> and <paramref name="token"/>
    /// (null: new ones), so a restarted server is reachable with the kubeconfig of the one it replaces.
    /// The server owns <paramref name="ca"/> from here on.
    /// </summary>
    public static async Task<FakeKubernetesApiServer> StartAsync(int port, TestCertificateAuthority? ca, string? token)
    {
        ca ??= new TestCertificateAuthority();
        var serverCertificate = ca.IssueServer().Certificate;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serverCertificate,
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            // Checked per request against the CA, so a wrong certificate is a 401 rather than a failed handshake.
            ClientCertificateValidation = (_, _, _) => true,
        })));
        var app = builder.Build();
        var server = new FakeKubernetesApiServer(app, ca, token ?? "token-" + Guid.NewGuid().ToString("N"));
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Server = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    /// <summary>A kubeconfig that reaches this server with its token, trusting its CA.</summary>
    public string KubeConfig() => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: fake
          cluster:
            server: {Server}
            certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(CertificateAuthority.CertificatePem))}
        users:
        - name: tester
          user:
            token: {Token}
        contexts:
        - name: test
          context:
            cluster: fake
            user: tester
        current-context: test
        """;

    public async ValueTask DisposeAsync()
    {
        Store.DisconnectWatches();
        // A killed API server: clients may have re-opened watches already, do not wait for them to end.
        using var abort = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await _app.StopAsync(abort.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        CertificateAuthority.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var auth = Authenticate(context);
        var line = $"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {auth ?? "none"}";
        Requests.Enqueue(line);
        RequestArrived?.Invoke(line);
        if (auth is null)
        {
            await WriteStatusAsync(context, 401, "Unauthorized", "Unauthorized").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) || !PathToResource.TryGetValue(context.Request.Path.Value ?? "", out var resource)
            || (resource == "serviceimports" && !ServiceImportCrdInstalled))
        {
            await WriteStatusAsync(context, 404, "NotFound", "the server could not find the requested resource").ConfigureAwait(false);
            return;
        }

        if (context.Request.Query["watch"] is [ "true" or "1" ])
        {
            if (RefuseWatches)
            {
                await WriteStatusAsync(context, 503, "ServiceUnavailable", "watches are refused for now").ConfigureAwait(false);
                return;
            }
            await WatchAsync(context, resource).ConfigureAwait(false);
        }
        else
        {
            await ListAsync(context, resource).ConfigureAwait(false);
        }
    }

    private string? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            var token = header["Bearer ".Length..];
            return AcceptedTokens.ContainsKey(token) ? "token:" + token : null;
        }

        var certificate = context.Connection.ClientCertificate;
        return certificate is not null && CertificateAuthority.Issued(certificate) ? "cert:" + certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false) : null;
    }

    private async Task ListAsync(HttpContext context, string resource)
    {
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : int.MaxValue;
        var selector = query["labelSelector"].ToString();
        var items = Store.Snapshot(resource, out var revision);
        var after = "";
        if (query["continue"].ToString() is { Length: > 0 } continueToken)
        {
            // Tests change the store between pages here (e.g. delete and compact, so the token expires).
            BeforeContinuedList?.Invoke(resource);
            // The token carries the list's revision and the last key sent, as the real server's does.
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(continueToken)).Split('|', 2);
            var listRevision = long.Parse(parts[0], CultureInfo.InvariantCulture);
            if (listRevision < Store.CompactedRevision)
            {
                await WriteStatusAsync(context, 410, "Expired", "The provided continue parameter is too old").ConfigureAwait(false);
                return;
            }

            revision = listRevision;
            after = parts[1];
        }

        // Items are stored as JSON text and written as they are; the page starts after the token's key (binary search),
        // so each page costs its own size, not the list's, as the real server's watch cache does.
        var page = new List<StoredObject>(Math.Min(limit, 1024));
        string? next = null;
        long? remaining = null;
        for (int i = FirstAfter(items, after); i < items.Count; i++)
        {
            var item = items[i];
            if (!LabelSelector.Matches(selector, item.Labels)) continue;
            if (page.Count == limit)
            {
                next = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{revision}|{page[^1].Key}"));
                // Like the real server: the count of what follows, only when no selector filters the list.
                if (selector.Length == 0) remaining = items.Count - i;
                break;
            }

            page.Add(item);
        }

        var (kind, apiVersion, _) = FakeResourceStore.Resources[resource];
        var body = new StringBuilder(256 + page.Sum(item => item.Json.Length + 1));
        body.Append("{\"kind\":\"").Append(kind).Append("List\",\"apiVersion\":\"").Append(apiVersion)
            .Append("\",\"metadata\":{\"resourceVersion\":\"").Append(revision.ToString(CultureInfo.InvariantCulture)).Append('"');
        if (next is not null) body.Append(",\"continue\":\"").Append(next).Append('"');
        if (remaining is not null) body.Append(",\"remainingItemCount\":").Append(remaining.Value.ToString(CultureInfo.InvariantCulture));
        body.Append("},\"items\":[");
        for (int i = 0; i < page.Count; i++)
        {
            if (i > 0) body.Append(',');
            body.Append(page[i].Json);
        }

        body.Append("]}");
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToString()).ConfigureAwait(false);
    }

    /// <summary>Index of the first item whose key sorts after <paramref name="key"/> (ordinal); 0 for the empty key.</summary>
    private static int FirstAfter(IReadOnlyList<StoredObject> items, string key)
    {
        if (key.Length == 0) return 0;
        int low = 0, high = items.Count;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (string.CompareOrdinal(items[middle].Key, key) <= 0) low = middle + 1;
            else high = middle;
        }

        return low;
    }

    private async Task WatchAsync(HttpContext context, string resource)
    {
        var query = context.Request.Query;
        var from = long.TryParse(query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : Store.Revision;
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? TimeSpan.FromSeconds(t) : TimeSpan.FromMinutes(30);
        var allowBookmarks = query["allowWatchBookmarks"] is ["true"];
        var selector = query["labelSelector"].ToString();

        using var subscription = Store.Subscribe(resource, from, allowBookmarks);
        if (subscription is null && GoneAsHttpStatus)
        {
            await WriteStatusAsync(context, 410, "Expired", $"too old resource version: {from} ({Store.CompactedRevision})").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.StartAsync().ConfigureAwait(false);
        // The real API server flushes the headers as the watch starts (serveWatch), so an idle watch is open.
        await context.Response.Body.FlushAsync().ConfigureAwait(false);
        if (subscription is null)
        {
            await WriteLineAsync(context, GoneEvent(from)).ConfigureAwait(false);
            return;
        }

        using var end = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, subscription.Aborted.Token);
        end.CancelAfter(timeout);
        try
        {
            await foreach (var e in subscription.Events.Reader.ReadAllAsync(end.Token).ConfigureAwait(false))
            {
                if (e.Type == "EXPIRE")
                {
                    await WriteLineAsync(context, GoneEvent(from)).ConfigureAwait(false);
                    return;
                }

                if (e.Type != "BOOKMARK" && !LabelSelector.Matches(selector, e.Labels)) continue;
                await WriteLineAsync(context, $$"""{"type":"{{e.Type}}","object":{{e.Json}}}""").ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (subscription.Aborted.IsCancellationRequested)
        {
            context.Abort(); // A broken connection, not a clean end of stream.
        }
        catch (OperationCanceledException)
        {
            // Timeout or client gone: end the response normally.
        }
    }

    private static string GoneEvent(long from) =>
        $$$"""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: {{{from}}}","reason":"Expired","code":410}}""";

    private static async Task WriteLineAsync(HttpContext context, string line)
    {
        await context.Response.WriteAsync(line + "\n").ConfigureAwait(false);
        await context.Response.Body.FlushAsync().ConfigureAwait(false);
    }

    private static Task WriteStatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        return context.Response.WriteAsync(status.ToJsonString());
    }
}
