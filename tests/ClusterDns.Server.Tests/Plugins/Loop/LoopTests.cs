using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Listeners;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Forward;
using ClusterDns.Server.Plugins.Loop;
using ClusterDns.Server.Tests.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Loop;

public sealed class LoopTests
{
    private static readonly DnsName Zone = DnsName.Parse("example.org.");

    [Fact]
    public void Probe_name_is_two_random_labels_under_the_zone()
    {
        var a = LoopProbe.CreateProbeName(Zone);
        var b = LoopProbe.CreateProbeName(Zone);
        Assert.True(WireName.IsValid(a));
        Assert.Equal(4, WireName.CountLabels(a));
        Assert.True(WireName.IsSubdomainOf(a, Zone.Wire));
        Assert.False(a.AsSpan().SequenceEqual(b));
    }

    [Fact]
    public async Task Third_arrival_of_the_probe_is_a_loop()
    {
        var detected = new List<string>();
        var name = LoopProbe.CreateProbeName(Zone);
        var handler = new LoopHandler(name, "example.org.", detected.Add, NullLogger.Instance) { Next = new Cache.ScriptedHandler() };

        for (int i = 0; i < LoopHandler.MaxSeen; i++)
        {
            var passed = await handler.ServeAsync(LoopProbe.BuildProbe(name));
            Assert.True(passed.IsWritten);
        }
        Assert.Empty(detected);

        var third = await handler.ServeAsync(LoopProbe.BuildProbe(name));
        Assert.False(third.IsWritten);
        Assert.Equal(ResponseCode.ServFail, third.Rcode);
        var message = Assert.Single(detected);
        Assert.StartsWith("Loop (", message);
        Assert.Contains("detected for zone \"example.org.\"", message);
        Assert.Contains("forward . 1.1.1.1", message);

        // Reported once, however often it comes back.
        await handler.ServeAsync(LoopProbe.BuildProbe(name));
        Assert.Single(detected);
    }

    [Fact]
    public async Task Other_queries_are_not_counted()
    {
        var detected = new List<string>();
        var name = LoopProbe.CreateProbeName(Zone);
        var handler = new LoopHandler(name, "example.org.", detected.Add, NullLogger.Instance) { Next = new Cache.ScriptedHandler() };
        for (int i = 0; i < 5; i++)
        {
            await handler.ServeAsync(TestDns.Context(TestDns.Query(DnsName.FromWire(name).ToString(), RecordType.A)));
            await handler.ServeAsync(TestDns.Context(TestDns.Query("other.example.org.", RecordType.HINFO)));
        }
        Assert.Equal(0, handler.Seen);
        Assert.Empty(detected);
    }

    [Fact]
    public async Task Answered_probe_switches_the_check_off_without_a_loop()
    {
        await using var upstream = new FakeUpstream();
        var detected = new List<string>();
        var name = LoopProbe.CreateProbeName(Zone);
        var handler = new LoopHandler(name, "example.org.", detected.Add, NullLogger.Instance);
        var forward = new ForwardHandler(new ForwardOptions { From = [DnsName.Root], Upstreams = [new UpstreamAddress(upstream.EndPoint, false)] }, NullLogger.Instance);
        handler.Next = forward;
        var probe = new LoopProbe(handler, () => [handler, forward], NullLogger.Instance) { Grace = TimeSpan.Zero };
        try
        {
            await probe.StartAsync(default);
            await probe.Completion.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.True(handler.IsDisabled);
            Assert.Empty(detected);
            Assert.Equal(1, upstream.CountFor(DnsName.FromWire(name).ToString()));
        }
        finally
        {
            await probe.StopAsync(default);
            await forward.StopAsync(default);
        }
    }

    [Fact]
    public async Task Forwarding_to_ourselves_is_detected_and_stops_the_server()
    {
        var detected = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = new QueryProcessor(new ZoneRouter([]), NullQueryObserver.Instance, NullLogger.Instance);
        await using var listener = new UdpListener(new IPEndPoint(IPAddress.Loopback, 0), processor, new QueryContextPool(1232), NullLogger.Instance, loops: 2);
        listener.Start();
        int port = listener.LocalEndPoint.Port;

        var corefile = CorefileParser.Parse($".:{port} {{\n    forward . 127.0.0.1:{port}\n    loop\n}}\n", "Corefile");
        var registry = new PluginRegistry([new ForwardSetup(), new LoopSetup(message => detected.TrySetResult(message))]);
        var pipeline = new PipelineBuilder(registry).Build(corefile, new ServerBuildContext(Path.Combine(Path.GetTempPath(), "Corefile")));
        processor.Router = pipeline.Listeners[0].Router;
        foreach (var component in pipeline.Components)
        {
            await component.StartAsync(default);
        }
        try
        {
            string message = await detected.Task.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Matches(@"^Loop \(127\.0\.0\.1:\d+ -> :" + port + @"\) detected for zone ""\.""", message);
            Assert.Contains("systemd-resolved", message);
        }
        finally
        {
            foreach (var component in pipeline.Components)
            {
                await component.StopAsync(default);
            }
            await listener.StopAsync(TimeSpan.FromSeconds(1));
        }
    }

    [Theory]
    [InlineData("loop 1", "'loop' expects no arguments")]
    [InlineData("loop {\n}", "'loop' does not take a block")]
    public void Bad_loop_directive_is_a_clear_error(string text, string reason)
    {
        var directive = TestDns.Directive(text);
        var block = new ServerBlockBuilder(CorefileParser.Parse(". {\n}\n", "Corefile").ServerBlocks[0], [DnsName.Root], 53, new ServerBuildContext("Corefile"));
        var error = Assert.Throws<CorefileException>(() => new LoopSetup(_ => { }).Setup(directive, block));
        Assert.Contains(reason, error.Message);
    }
}
