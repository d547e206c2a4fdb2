using System.Net;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.FilePlugin;
using ClusterDns.Server.Plugins.Log;
using ClusterDns.Server.Tests.Zones;
using ClusterDns.Server.Zones;
using static ClusterDns.Server.Tests.Plugins.FilePlugin.PluginSetupHarness;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.Log;

public sealed class LogPluginTests
{
    private static readonly LogRule Common = new(DnsName.Root, LogOptions.CommonFormat, ResponseClasses.All);

    private static QueryLogEntry Entry(LogRule rule, string remote = "192.0.2.7:40212") => new(
        rule, IPEndPoint.Parse(remote), 4242, Opcode.Query, RecordType.A, RecordClass.IN,
        DnsName.Parse("example.org.").Wire.ToArray(), TransportKind.Udp, 29, false, 512, ResponseCode.NoError,
        new DnsHeader { IsResponse = true, AuthoritativeAnswer = true, RecursionDesired = true }.Flags, 45,
        TimeSpan.FromTicks(1340));

    [Theory]
    [InlineData("192.0.2.7:40212", "192.0.2.7:40212 - 4242 \"A IN example.org. udp 29 false 512\" NOERROR qr,aa,rd 45 0.000134s")]
    [InlineData("[::ffff:192.0.2.7]:53", "192.0.2.7:53 - 4242 \"A IN example.org. udp 29 false 512\" NOERROR qr,aa,rd 45 0.000134s")]
    [InlineData("[2001:db8::1]:5353", "[2001:db8::1]:5353 - 4242 \"A IN example.org. udp 29 false 512\" NOERROR qr,aa,rd 45 0.000134s")]
    public void CommonLogFormatMatchesCoreDns(string remote, string expected)
    {
        Assert.Equal(expected, QueryLogFormatter.Format(Entry(Common, remote)));
    }

    [Fact]
    public void CombinedFormatAddsTheOpcodeAndUnknownPlaceholdersStay()
    {
        Assert.EndsWith(" \"QUERY\"", QueryLogFormatter.Format(Entry(Common with { Format = LogOptions.CombinedFormat })));
        Assert.Equal("A {nope} udp", QueryLogFormatter.Format(Entry(Common with { Format = "{type} {nope} {proto}" })));
    }

    public static TheoryData<string, string[], string, int> Directives() => new()
    {
        { "log", ["."], LogOptions.CommonFormat, (int)ResponseClasses.All },
        { "log example.org", ["example.org."], LogOptions.CommonFormat, (int)ResponseClasses.All },
        { "log example.org example.net \"{name} {rcode}\"", ["example.org.", "example.net."], "{name} {rcode}", (int)ResponseClasses.All },
        { "log . {combined}", ["."], LogOptions.CombinedFormat, (int)ResponseClasses.All },
        { "log {common}", ["."], LogOptions.CommonFormat, (int)ResponseClasses.All },
        { "log {\n class denial error\n }", ["."], LogOptions.CommonFormat, (int)(ResponseClasses.Denial | ResponseClasses.Error) },
    };

    [Theory]
    [MemberData(nameof(Directives))]
    public void ParsesLikeCoreDns(string directive, string[] names, string format, int classes)
    {
        var block = Setup(new LogSetup(), $". {{\n {directive}\n}}\n", "/tmp/Corefile");

        var rules = Assert.IsType<LogHandler>(Assert.Single(block.Handlers)).Rules;
        Assert.Equal(names, rules.Select(r => r.NameScope.ToString()).ToArray());
        Assert.All(rules, r => Assert.Equal(format, r.Format));
        Assert.All(rules, r => Assert.Equal((ResponseClasses)classes, r.Classes));
    }

    [Theory]
    [InlineData("log {\n class sometimes\n }", "unknown response class 'sometimes'")]
    [InlineData("log {\n format json\n }", "unknown property 'format'")]
    public void BadDirectivesAreErrors(string directive, string expected)
    {
        var error = Assert.Throws<CorefileException>(() => Setup(new LogSetup(), $". {{\n {directive}\n}}\n", "/tmp/Corefile"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoLogDirectivesShareOneHandler()
    {
        var block = Setup(new LogSetup(), ". {\n log example.org\n log example.net\n}\n", "/tmp/Corefile");

        Assert.Equal(2, Assert.IsType<LogHandler>(Assert.Single(block.Handlers)).Rules.Count);
    }

    [Fact]
    public async Task QueriesAreLoggedInTheBackground()
    {
        var logger = new RecordingLogger();
        var writer = new QueryLogWriter(logger);
        var handler = new LogHandler(writer) { Next = new FileHandler(new ZoneSet([LoadZone(SampleZonePath, "example.org.")])) };
        handler.AddRules([Common]);
        await writer.StartAsync(CancellationToken.None);

        var answered = Query(handler, "www.example.org.", RecordType.A, client: IPEndPoint.Parse("192.0.2.7:40212"));
        var refused = Query(handler, "nope.example.org.", RecordType.AAAA, TransportKind.Tcp, client: IPEndPoint.Parse("192.0.2.7:40213"));
        await writer.StopAsync(CancellationToken.None);

        var lines = logger.Messages.ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Matches("^192\\.0\\.2\\.7:40212 - 16962 \"A IN www\\.example\\.org\\. udp 33 false 512\" NOERROR qr,aa \\d+ [0-9.]+s$", lines[0]);
        Assert.Matches("^192\\.0\\.2\\.7:40213 - 16962 \"AAAA IN nope\\.example\\.org\\. tcp 34 false 512\" NXDOMAIN qr,aa \\d+ [0-9.]+s$", lines[1]);
        Assert.Equal(ResponseCode.NXDomain, refused.Rcode);
        Assert.Equal(2, answered.Answers.Count);
        Assert.Equal(0, writer.Dropped);
    }

    [Fact]
    public async Task UnansweredQueriesGetTheirErrorResponseWrittenAndLogged()
    {
        var logger = new RecordingLogger();
        var writer = new QueryLogWriter(logger);
        var handler = new LogHandler(writer) { Next = new TerminalHandler() };
        handler.AddRules([Common]);
        await writer.StartAsync(CancellationToken.None);

        var context = CreateContext("www.example.org.", RecordType.A);
        var result = await handler.ServeAsync(context);
        await writer.StopAsync(CancellationToken.None);

        Assert.True(result.IsWritten);
        Assert.True(context.ResponseLength > 0);
        var line = Assert.Single(logger.Messages);
        Assert.True(line.Contains(" REFUSED qr ", StringComparison.Ordinal), line);
    }

    [Fact]
    public async Task ClassesAndNamesFilterWhatIsLogged()
    {
        var logger = new RecordingLogger();
        var writer = new QueryLogWriter(logger);
        var handler = new LogHandler(writer) { Next = new FileHandler(new ZoneSet([LoadZone(SampleZonePath, "example.org.")])) };
        handler.AddRules([new LogRule(DnsName.Parse("example.org."), "{name} {rcode}", ResponseClasses.Denial)]);
        await writer.StartAsync(CancellationToken.None);

        Query(handler, "www.example.org.", RecordType.A);
        Query(handler, "www.example.org.", RecordType.TXT);
        Query(handler, "nope.example.org.", RecordType.A);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(["www.example.org. NOERROR", "nope.example.org. NXDOMAIN"], logger.Messages.ToArray());
    }

    [Fact]
    public void AFullQueueDropsAndCounts()
    {
        var writer = new QueryLogWriter(new RecordingLogger(), capacity: 2);
        var entry = Entry(Common);

        for (int i = 0; i < 5; i++)
        {
            writer.Enqueue(entry);
        }

        Assert.Equal(3, writer.Dropped);
    }
}
