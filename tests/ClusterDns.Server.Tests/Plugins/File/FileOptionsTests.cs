using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.FilePlugin;
using ClusterDns.Server.Tests.Zones;
using static ClusterDns.Server.Tests.Plugins.FilePlugin.PluginSetupHarness;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.FilePlugin;

/// <summary>The file options CoreDNS 1.12–1.14 added: <c>fallthrough [ZONES...]</c> and <c>reload_by_mtime</c>.</summary>
public sealed class FileOptionsTests : IDisposable
{
    private const string Zone = """
        $TTL 300
        @      IN SOA ns1 hostmaster 1 7200 1800 86400 60
               IN NS  ns1
        ns1    IN A   192.0.2.53
        www    IN A   192.0.2.1
        alias  IN CNAME gone
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Corefile => Path.Combine(_folder.Path, "Corefile");

    private FileHandler Handler(string options, TerminalHandler next)
    {
        _folder.Write("db", Zone);
        var block = Setup(new FileSetup(), ". {\n file db example.org example.com {\n " + options + "\n }\n}\n", Corefile);
        var handler = Handler<FileHandler>(block);
        handler.Next = next;
        return handler;
    }

    // name, type, fallthrough line → does the query reach the next plugin, and the RCODE the client sees.
    public static TheoryData<string, RecordType, string, bool, ResponseCode> FallthroughCases() => new()
    {
        { "nope.example.org.", RecordType.A, "fallthrough", true, ResponseCode.Refused },
        { "deep.nope.example.com.", RecordType.AAAA, "fallthrough", true, ResponseCode.Refused },
        { "www.example.org.", RecordType.A, "fallthrough", false, ResponseCode.NoError },
        // NODATA: the name exists; only names that do not exist fall through.
        { "www.example.org.", RecordType.TXT, "fallthrough", false, ResponseCode.NoError },
        // A CNAME whose target does not exist: the answer has the CNAME, so the zone answers it.
        { "alias.example.org.", RecordType.A, "fallthrough", false, ResponseCode.NXDomain },
        { "nope.example.com.", RecordType.A, "fallthrough example.com", true, ResponseCode.Refused },
        { "nope.example.org.", RecordType.A, "fallthrough example.com", false, ResponseCode.NXDomain },
        { "nope.example.org.", RecordType.A, "reload 0", false, ResponseCode.NXDomain },
    };

    [Theory]
    [MemberData(nameof(FallthroughCases))]
    public void Fallthrough_sends_names_that_do_not_exist_to_the_next_plugin(string name, RecordType type, string options, bool passed, ResponseCode rcode)
    {
        var next = new TerminalHandler();
        var handler = Handler(options, next);

        var response = Query(handler, name, type);

        Assert.Equal(passed ? 1 : 0, next.Calls);
        Assert.Equal(rcode, response.Rcode);
        Assert.Equal(!passed, response.Header.AuthoritativeAnswer);
    }

    [Fact]
    public void A_name_that_falls_through_reaches_the_next_plugin_as_the_client_sent_it()
    {
        var next = new RequestRecorder();
        _folder.Write("db", Zone);
        var handler = Handler<FileHandler>(Setup(new FileSetup(), ". {\n file db example.org {\n  fallthrough\n }\n}\n", Corefile));
        handler.Next = next;
        var context = CreateContext("nope.example.org.", RecordType.A, TransportKind.Udp, new EdnsRecord { UdpPayloadSize = 1232, DnssecOk = true, Options = [new EdnsOption(10, [1, 2, 3, 4, 5, 6, 7, 8])] });
        byte[] sent = context.Request.ToArray();

        Serve(handler, context);

        // What forward would send upstream: the client's bytes, OPT and all (the zone's SOA must not be over them).
        Assert.Equal(Convert.ToHexString(sent), Convert.ToHexString(next.Seen!));
    }

    private sealed class RequestRecorder : ClusterDns.Server.Pipeline.DnsHandler
    {
        public byte[]? Seen { get; private set; }

        public override string Name => "recorder";

        public override ValueTask<ClusterDns.Server.Pipeline.HandlerResult> ServeAsync(ClusterDns.Server.Pipeline.DnsQueryContext context)
        {
            Seen = context.Request.ToArray();
            return new ValueTask<ClusterDns.Server.Pipeline.HandlerResult>(ClusterDns.Server.Pipeline.HandlerResult.NotWritten(ResponseCode.Refused));
        }
    }

    [Fact]
    public void Fallthrough_with_a_bad_zone_is_an_error_at_its_line()
    {
        _folder.Write("db", Zone);

        var error = Assert.Throws<CorefileException>(() =>
            Setup(new FileSetup(), "example.org {\n file db {\n  fallthrough exa..mple.org\n }\n}\n", Corefile));

        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Reload_by_mtime_takes_no_argument()
    {
        _folder.Write("db", Zone);

        var error = Assert.Throws<CorefileException>(() =>
            Setup(new FileSetup(), "example.org {\n file db {\n  reload_by_mtime yes\n }\n}\n", Corefile));

        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Reload_by_mtime_reads_the_file_only_when_its_modification_time_changed()
    {
        string path = _folder.Write("db", Zone);
        var block = Setup(new FileSetup(), "example.org {\n file db {\n  reload 10s\n  reload_by_mtime\n }\n}\n", Corefile);
        var handler = Handler<FileHandler>(block);
        var watcher = Assert.IsType<ZoneFileWatcher>(Assert.Single(block.Context.Components));
        var loadedAt = System.IO.File.GetLastWriteTimeUtc(path);

        // New bytes under the old modification time: not seen (without reload_by_mtime they would be).
        System.IO.File.WriteAllText(path, Zone.Replace("192.0.2.1", "192.0.2.2", StringComparison.Ordinal));
        System.IO.File.SetLastWriteTimeUtc(path, loadedAt);
        Assert.Equal(ZoneReloadOutcome.Unchanged, watcher.ReloadIfChanged());
        Assert.Equal(["www.example.org. 300 IN A 192.0.2.1"], Lines(Query(handler, "www.example.org.", RecordType.A).Answers));

        System.IO.File.SetLastWriteTimeUtc(path, loadedAt.AddSeconds(5));
        Assert.Equal(ZoneReloadOutcome.Reloaded, watcher.ReloadIfChanged());
        Assert.Equal(["www.example.org. 300 IN A 192.0.2.2"], Lines(Query(handler, "www.example.org.", RecordType.A).Answers));
        Assert.Equal(ZoneReloadOutcome.Unchanged, watcher.ReloadIfChanged());
    }
}
