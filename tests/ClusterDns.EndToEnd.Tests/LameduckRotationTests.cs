using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Protocol;
using ClusterDns.Testing.FakeApiServer;
using ClusterDns.Testing.Oracles;
using ClusterDns.Testing.Processes;

namespace ClusterDns.EndToEnd.Tests;

/// <summary>
/// SIGTERM on the real executable whose POD_IP is an endpoint of kube-system/kube-dns (served by the test API
/// server): lameduck lasts until the EndpointSlice says the replica is out of rotation, plus the grace, not
/// until the lameduck bound; a client that keeps asking until the change "reaches kube-proxy" loses nothing.
/// </summary>
public sealed class LameduckRotationTests : IAsyncLifetime
{
    private const string Self = "127.0.0.1";
    private FakeKubernetesApiServer _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApiServer.StartAsync();
        _api.Store.Apply("namespaces", """{"metadata":{"name":"kube-system"}}""");
        _api.Store.Apply("namespaces", """{"metadata":{"name":"shop"}}""");
        _api.Store.Apply("services", """{"metadata":{"name":"kube-dns","namespace":"kube-system"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.10","ports":[{"name":"dns","port":53,"protocol":"UDP"}]}}""");
        _api.Store.Apply("services", """{"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.20","ports":[{"name":"http","port":80,"protocol":"TCP"}]}}""");
        ApplyDnsSlice(selfReady: true);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    /// <summary>kube-dns's slice: this replica and a peer; a deleted pod's endpoint turns not ready and terminating.</summary>
    private void ApplyDnsSlice(bool selfReady)
    {
        string conditions = selfReady ? """{"ready":true,"serving":true,"terminating":false}""" : """{"ready":false,"serving":true,"terminating":true}""";
        _api.Store.Apply("endpointslices", $$"""
            {"metadata":{"name":"kube-dns-x7k2p","namespace":"kube-system","labels":{"kubernetes.io/service-name":"kube-dns"} },
             "addressType":"IPv4","ports":[{"name":"dns","port":53,"protocol":"UDP"}],
             "endpoints":[{"addresses":["{{Self}}"],"conditions":{{conditions}} },{"addresses":["10.244.0.9"],"conditions":{"ready":true} }] }
            """);
    }

    private ServerProcess Start(string lameduck, string grace) => ServerProcess.Start($$"""
        cluster.local:{PORT} {
            bind 127.0.0.1
            health 127.0.0.1:0 {
                lameduck {{lameduck}}
                rotation_grace {{grace}}
            }
            kubernetes cluster.local {
                kubeconfig kubeconfig
            }
        }
        """, prepare: directory => File.WriteAllText(Path.Combine(directory, "kubeconfig"), _api.KubeConfig()),
        environment: new Dictionary<string, string> { ["POD_IP"] = Self });

    [Fact]
    public async Task Lameduck_ends_a_grace_after_the_replica_leaves_its_endpoints_and_no_query_is_lost()
    {
        await using var server = Start(lameduck: "60s", grace: "1s");
        await server.WaitUntilAnsweringAsync("web.shop.svc.cluster.local", "A");
        using var load = new ClientLoad(server.Port);

        server.Terminate();
        var sinceTerm = Stopwatch.StartNew();
        // The pod's endpoint changes a while after SIGTERM; until then the replica must keep answering.
        await load.AnsweredAtLeastAsync(load.Answered + 50, TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.False(server.HasExited, $"exited {sinceTerm.Elapsed} after SIGTERM while still in rotation:\n{server.Output}");

        ApplyDnsSlice(selfReady: false);
        var sinceUpdate = Stopwatch.StartNew();
        // kube-proxy takes a moment to stop sending here: shorter than the 1 s grace.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var (sent, answered) = await load.StopAsync();

        int exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var afterUpdate = sinceUpdate.Elapsed;
        Assert.Equal(0, exit);
        Assert.Equal(sent, answered);
        Assert.True(sent > 100, $"only {sent} queries were sent through the shutdown");
        Assert.True(afterUpdate >= TimeSpan.FromSeconds(0.9), $"stopped {afterUpdate} after leaving rotation, before the 1 s grace");
        Assert.True(afterUpdate < TimeSpan.FromSeconds(8), $"stopped {afterUpdate} after leaving rotation:\n{server.Output}");
        Assert.True(sinceTerm.Elapsed < TimeSpan.FromSeconds(20), $"stopped {sinceTerm.Elapsed} after SIGTERM: the 60 s bound, not the rotation, ended it");
        Assert.Contains("left rotation", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replica_still_in_rotation_stops_at_the_lameduck_bound_and_says_so()
    {
        await using var server = Start(lameduck: "2s", grace: "1s");
        await server.WaitUntilAnsweringAsync("web.shop.svc.cluster.local", "A");

        server.Terminate();
        var sinceTerm = Stopwatch.StartNew();
        int exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        Assert.True(sinceTerm.Elapsed >= TimeSpan.FromSeconds(1.9), $"stopped {sinceTerm.Elapsed} after SIGTERM, before the 2 s lameduck");
        Assert.Contains("still in rotation after 2s", server.Output, StringComparison.Ordinal);
    }

    /// <summary>One client asking the replica in a loop, one query at a time, each waited for (bounded).</summary>
    private sealed class ClientLoad : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _sent, _answered;

        public ClientLoad(int port) => _loop = Task.Run(() => RunAsync(port));

        public int Answered => Volatile.Read(ref _answered);

        public async Task AnsweredAtLeastAsync(int count, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (Answered < count)
            {
                Assert.True(clock.Elapsed < timeout, $"only {Answered} of {count} answered within {timeout}");
                Assert.False(_loop.IsCompleted, "the client loop ended");
                await Task.Delay(10);
            }
        }

        public async Task<(int Sent, int Answered)> StopAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            return (_sent, _answered);
        }

        private async Task RunAsync(int port)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            var buffer = new byte[1232];
            ushort id = 0;
            // Bounded: at most 200,000 queries, and the test stops it within seconds.
            while (!_stop.IsCancellationRequested && _sent < 200_000)
            {
                id++;
                await socket.SendAsync(DnsMessage.CreateQuery(id, DnsName.Parse("web.shop.svc.cluster.local"), RecordType.A).ToArray());
                Interlocked.Increment(ref _sent);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    int length = await socket.ReceiveAsync(buffer, timeout.Token);
                    var reply = ResponseOracle.AssertParses(buffer.AsSpan(0, length));
                    if (reply.Header.Id == id && reply.Rcode == ResponseCode.NoError && reply.Answers.Count == 1)
                    {
                        Interlocked.Increment(ref _answered);
                    }
                }
                catch (OperationCanceledException)
                {
                    // Lost: counted as sent, not answered.
                }
                catch (SocketException)
                {
                    // ICMP port unreachable: the server is gone; lost too.
                }
            }
        }

        public void Dispose() => _stop.Dispose();
    }
}
