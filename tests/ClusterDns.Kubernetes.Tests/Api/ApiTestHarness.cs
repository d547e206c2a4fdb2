using System.Threading.Channels;
using ClusterDns.Kubernetes.Connection;
using ClusterDns.Testing.FakeApiServer;
using k8s;
using k8s.Authentication;

namespace ClusterDns.Kubernetes.Tests.Api;

/// <summary>A fake API server plus a running ApiServerSource, with the consumer's view of the state.</summary>
internal sealed class ApiTestHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    private ApiTestHarness(FakeKubernetesApiServer server) => Server = server;

    public FakeKubernetesApiServer Server { get; }
    public FakeResourceStore Store => Server.Store;
    public ApiServerSource Source { get; private set; } = null!;
    public ChangeReader Changes { get; private set; } = null!;

    /// <summary>The consumer's view: kind → key → resourceVersion, from the changes read so far.</summary>
    public Dictionary<ResourceKind, Dictionary<string, string>> State { get; } = [];

    public static async Task<ApiTestHarness> CreateAsync() => new(await FakeKubernetesApiServer.StartAsync());

    public static ApiServerSourceOptions FastOptions(ApiServerSourceOptions? template = null) => new()
    {
        PageSize = template?.PageSize ?? 500,
        LabelSelector = template?.LabelSelector,
        NamespaceLabelSelector = template?.NamespaceLabelSelector,
        Namespaces = template?.Namespaces ?? [],
        WatchTimeout = template?.WatchTimeout ?? TimeSpan.FromMinutes(5),
        InitialBackoff = template?.InitialBackoff ?? TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromSeconds(2),
    };

    /// <summary>A connection trusting the server's CA, with the library's token provider (the server's token unless given).</summary>
    public KubernetesConnection Connection(Func<ITokenProvider>? tokens = null) =>
        Connect(new KubernetesClientConfiguration(), tokens ?? TokenSources.Fixed(Server.Token));

    /// <summary>A connection authenticating by client certificate alone, loaded by the library from PEM data.</summary>
    public KubernetesConnection CertificateConnection(IssuedCertificate client) =>
        Connect(new KubernetesClientConfiguration
        {
            ClientCertificateData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(client.CertificatePem)),
            ClientCertificateKeyData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(client.PrivateKeyPem)),
        }, tokens: null);

    private KubernetesConnection Connect(KubernetesClientConfiguration configuration, Func<ITokenProvider>? tokens)
    {
        configuration.Host = Server.Server.ToString();
        configuration.SslCaCerts = [Server.CertificateAuthority.Certificate];
        Assert.True(KubernetesConnection.TryCreate(configuration, "test", tokens, out var connection, out var error), error);
        return connection!;
    }

    public void Start(IReadOnlyCollection<ResourceKind> kinds, ApiServerSourceOptions? options = null, KubernetesConnection? connection = null,
        Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var channel = Channel.CreateUnbounded<ClusterChange>();
        Source = new ApiServerSource(connection ?? Connection(), kinds, options ?? FastOptions(), logger);
        _run = Source.RunAsync(channel.Writer, _stop.Token);
        _ = _run.ContinueWith(t => channel.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        Changes = new ChangeReader(channel.Reader);
        foreach (var kind in kinds) State[kind] = new Dictionary<string, string>();
    }

    public void Apply(ClusterChange change)
    {
        switch (change.Type)
        {
            case ChangeType.Upsert:
                State[change.Kind][change.Key] = change.Object switch
                {
                    ServiceObject s => s.ResourceVersion,
                    EndpointSliceObject e => e.ResourceVersion,
                    PodObject p => p.ResourceVersion,
                    NamespaceObject n => n.ResourceVersion,
                    ServiceImportObject i => i.ResourceVersion,
                    _ => throw new InvalidOperationException("unexpected object " + change.Object),
                };
                break;
            case ChangeType.Delete:
                Assert.True(State[change.Kind].Remove(change.Key), $"delete of unknown {change.Kind} {change.Key}");
                break;
        }
    }

    public async Task<List<ClusterChange>> SyncAsync()
    {
        var seen = await Changes.UntilSyncedAsync(Source.Kinds);
        foreach (var change in seen) Apply(change);
        return seen;
    }

    /// <summary>The server's truth for a resource, as key → resourceVersion.</summary>
    public Dictionary<string, string> ServerState(string resource) =>
        Store.Snapshot(resource, out _).ToDictionary(o => o.Key, o => o.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Reads changes until the consumer's view of <paramref name="kind"/> equals the server's.</summary>
    public async Task ConvergeAsync(ResourceKind kind, string resource)
    {
        var expected = ServerState(resource);
        if (Same(State[kind], expected)) return;
        await Changes.UntilAsync(change =>
        {
            Apply(change);
            return Same(State[kind], expected);
        });
    }

    /// <summary>Completes when a request whose text contains <paramref name="fragment"/> arrives at the server.</summary>
    public Task<string> NextRequestAsync(string fragment)
    {
        var arrived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRequest(string line)
        {
            if (line.Contains(fragment, StringComparison.Ordinal)) arrived.TrySetResult(line);
        }

        Server.RequestArrived += OnRequest;
        _ = arrived.Task.ContinueWith(_ => Server.RequestArrived -= OnRequest, TaskScheduler.Default);
        return arrived.Task.WaitAsync(ChangeReader.DefaultTimeout);
    }

    private static bool Same(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        await Server.DisposeAsync();
        _stop.Dispose();
    }
}
