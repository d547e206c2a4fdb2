using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Hosts;
using ClusterDns.Server.Tests.Zones;
using static ClusterDns.Server.Tests.Plugins.FilePlugin.PluginSetupHarness;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.Hosts;

public sealed class HostsHandlerTests : IDisposable
{
    private const string HostsFile = """
        # comment line
        192.0.2.1   www.example.org web.example.org   # trailing comment
        2001:db8::1 www.example.org
        192.0.2.2   v4only.example.org
        2001:db8::6 v6only.example.org
        fe80::1%eth0 linklocal.example.org
        192.0.2.9   elsewhere.example.net
        this line is garbage
        192.0.2.3
        """;

    private readonly TempFolder _folder = new();

    public HostsHandlerTests() => _folder.Write("hosts", HostsFile);

    public void Dispose() => _folder.Dispose();

    private string Corefile => Path.Combine(_folder.Path, "Corefile");

    private HostsHandler Build(string body, string keys = "example.org in-addr.arpa ip6.arpa", TerminalHandler? next = null)
    {
        var block = Setup(new HostsSetup(), $"{keys} {{\n{body}\n}}\n", Corefile);
        var handler = Handler<HostsHandler>(block);
        handler.Next = next;
        return handler;
    }

    public static TheoryData<string, RecordType, ResponseCode, string[]> FileCases() => new()
    {
        { "www.example.org.", RecordType.A, ResponseCode.NoError, ["www.example.org. 3600 IN A 192.0.2.1"] },
        { "WEB.example.org.", RecordType.A, ResponseCode.NoError, ["web.example.org. 3600 IN A 192.0.2.1"] },
        { "www.example.org.", RecordType.AAAA, ResponseCode.NoError, ["www.example.org. 3600 IN AAAA 2001:db8::1"] },
        { "v4only.example.org.", RecordType.AAAA, ResponseCode.NoError, [] },
        { "v6only.example.org.", RecordType.A, ResponseCode.NoError, [] },
        { "v4only.example.org.", RecordType.MX, ResponseCode.NoError, [] },
        { "linklocal.example.org.", RecordType.AAAA, ResponseCode.NoError, ["linklocal.example.org. 3600 IN AAAA fe80::1"] },
        { "missing.example.org.", RecordType.A, ResponseCode.NXDomain, [] },
        { "1.2.0.192.in-addr.arpa.", RecordType.PTR, ResponseCode.NoError, ["1.2.0.192.in-addr.arpa. 3600 IN PTR web.example.org.", "1.2.0.192.in-addr.arpa. 3600 IN PTR www.example.org."] },
        { "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", RecordType.PTR, ResponseCode.NoError,
            ["1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 3600 IN PTR www.example.org."] },
        { "9.2.0.192.in-addr.arpa.", RecordType.PTR, ResponseCode.NXDomain, [] },
    };

    [Theory]
    [MemberData(nameof(FileCases))]
    public void AnswersFromTheHostsFile(string name, RecordType type, ResponseCode rcode, string[] answer)
    {
        var response = Query(Build("hosts hosts"), name, type);

        Assert.Equal(rcode, response.Rcode);
        Assert.True(response.Header.AuthoritativeAnswer);
        Assert.Equal(SortedLines(answer), Lines(response.Answers));
        Assert.Empty(response.Authority);
    }

    [Fact]
    public void InlineEntriesAndTtl()
    {
        var handler = Build("hosts missing-file {\n 10.0.0.1 inline.example.org\n ttl 60\n}");

        Assert.Equal(["inline.example.org. 60 IN A 10.0.0.1"], Lines(Query(handler, "inline.example.org.", RecordType.A).Answers));
        Assert.Equal(["1.0.0.10.in-addr.arpa. 60 IN PTR inline.example.org."], Lines(Query(handler, "1.0.0.10.in-addr.arpa.", RecordType.PTR).Answers));
    }

    [Fact]
    public void InlineEntriesAddToTheFile()
    {
        var handler = Build("hosts hosts {\n 192.0.2.77 www.example.org\n}");

        Assert.Equal(["www.example.org. 3600 IN A 192.0.2.1", "www.example.org. 3600 IN A 192.0.2.77"], Lines(Query(handler, "www.example.org.", RecordType.A).Answers));
    }

    [Fact]
    public void NoReverseLeavesPtrQueriesToTheNextHandler()
    {
        var next = new TerminalHandler();
        var handler = Build("hosts hosts {\n no_reverse\n}", keys: "example.org", next: next);

        var response = Query(handler, "1.2.0.192.in-addr.arpa.", RecordType.PTR);

        Assert.Equal(1, next.Calls);
        Assert.Equal(ResponseCode.Refused, response.Rcode);
    }

    [Fact]
    public void FallthroughPassesUnknownNamesOn()
    {
        var next = new TerminalHandler();
        var handler = Build("hosts hosts {\n fallthrough\n}", next: next);

        Assert.Equal(ResponseCode.Refused, Query(handler, "missing.example.org.", RecordType.A).Rcode);
        Assert.Equal(1, next.Calls);
        Assert.Equal(ResponseCode.NoError, Query(handler, "www.example.org.", RecordType.A).Rcode);
        Assert.Equal(1, next.Calls);
    }

    [Fact]
    public void FallthroughWithZonesOnlyForThoseZones()
    {
        var next = new TerminalHandler();
        var handler = Build("hosts hosts {\n fallthrough sub.example.org\n}", next: next);

        Assert.Equal(ResponseCode.NXDomain, Query(handler, "missing.example.org.", RecordType.A).Rcode);
        Assert.Equal(ResponseCode.Refused, Query(handler, "missing.sub.example.org.", RecordType.A).Rcode);
        Assert.Equal(1, next.Calls);
    }

    [Fact]
    public void NamesOutsideThePluginsZonesGoOn()
    {
        var next = new TerminalHandler();
        var handler = Build("hosts hosts example.org", keys: ".", next: next);

        Query(handler, "elsewhere.example.net.", RecordType.A);

        Assert.Equal(1, next.Calls);
    }

    [Fact]
    public void ReloadPicksUpAChangedFile()
    {
        var block = Setup(new HostsSetup(), "example.org {\n hosts hosts\n}\n", Corefile);
        var handler = Handler<HostsHandler>(block);
        var watcher = Assert.IsType<HostsFileWatcher>(Assert.Single(block.Context.Components));

        Assert.False(watcher.ReloadIfChanged());
        _folder.Write("hosts", "192.0.2.200 www.example.org\n");
        Assert.True(watcher.ReloadIfChanged());

        Assert.Equal(["www.example.org. 3600 IN A 192.0.2.200"], Lines(Query(handler, "www.example.org.", RecordType.A).Answers));
    }

    [Fact]
    public void DefaultsFollowCoreDns()
    {
        var block = Setup(new HostsSetup(), "example.org {\n hosts\n}\n", Corefile);
        var options = HostsSetup.Parse(block.Source.Directives[0], block);

        Assert.Equal("/etc/hosts", options.Path);
        Assert.Equal(3600u, options.Ttl);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Reload);
        Assert.Null(options.Fallthrough);
        Assert.False(options.NoReverse);
    }

    [Theory]
    [InlineData("hosts {\n ttl 0\n}", "out of range")]
    [InlineData("hosts {\n reload often\n}", "often")]
    [InlineData("hosts {\n 10.0.0.300 bad.example.org\n}", "bad inline entry")]
    [InlineData("hosts {\n unknown_option\n}", "bad inline entry")]
    public void BadBlocksAreErrors(string body, string expected)
    {
        var error = Assert.Throws<CorefileException>(() => Setup(new HostsSetup(), $"example.org {{\n{body}\n}}\n", Corefile));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WarmAnswersAllocateNothing()
    {
        var handler = Build("hosts hosts");
        (string Name, RecordType Type)[] questions = [("www.example.org.", RecordType.A), ("v4only.example.org.", RecordType.AAAA), ("missing.example.org.", RecordType.A), ("1.2.0.192.in-addr.arpa.", RecordType.PTR)];
        var contexts = questions.Select(q => CreateContext(q.Name, q.Type)).ToArray();
        var requests = contexts.Select(c => c.Request.ToArray()).ToArray();
        void ServeAll()
        {
            for (int i = 0; i < contexts.Length; i++)
            {
                requests[i].CopyTo(contexts[i].Buffer, 0);
                contexts[i].Reset(requests[i].Length, Server.Pipeline.TransportKind.Udp);
                _ = handler.ServeAsync(contexts[i]);
            }
        }
        ServeAll();
        ServeAll();

        long before = GC.GetAllocatedBytesForCurrentThread();
        ServeAll();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
