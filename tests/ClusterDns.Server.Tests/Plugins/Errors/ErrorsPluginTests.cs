using System.Text.RegularExpressions;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Errors;
using ClusterDns.Server.Tests.Plugins.Log;
using Microsoft.Extensions.Logging;
using static ClusterDns.Server.Tests.Plugins.FilePlugin.PluginSetupHarness;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.Errors;

public sealed class ErrorsPluginTests
{
    /// <summary>Answers with a fixed RCODE, written or not.</summary>
    private sealed class FixedHandler(ResponseCode rcode, bool written) : DnsHandler
    {
        public override string Name => "fixed";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
        {
            if (!written)
            {
                return new(HandlerResult.NotWritten(rcode));
            }
            context.WriteBareResponse(rcode);
            context.WrittenBy = Name;
            return new(HandlerResult.Written(rcode));
        }
    }

    private static ErrorsHandler Handler(RecordingLogger logger, DnsHandler next, params ConsolidationRule[] rules) =>
        new(new ErrorsOptions(rules, false), logger) { Next = next };

    [Theory]
    [InlineData(false, "2 www.example.org. A: no plugin could answer")]
    [InlineData(true, "2 www.example.org. A: plugin/fixed answered SERVFAIL")]
    public void ServfailIsLoggedAsCoreDnsDoes(bool written, string expected)
    {
        var logger = new RecordingLogger();

        var response = Query(Handler(logger, new FixedHandler(ResponseCode.ServFail, written)), "WWW.example.org.", RecordType.A);

        Assert.Equal(ResponseCode.ServFail, response.Rcode);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal(expected, entry.Message);
    }

    [Theory]
    [InlineData(ResponseCode.NoError)]
    [InlineData(ResponseCode.NXDomain)]
    [InlineData(ResponseCode.Refused)]
    public void OtherOutcomesAreNotErrors(ResponseCode rcode)
    {
        var logger = new RecordingLogger();

        Query(Handler(logger, new FixedHandler(rcode, true)), "www.example.org.", RecordType.A);

        Assert.Empty(logger.Entries);
    }

    [Fact]
    public async Task ConsolidatedErrorsAreCountedAndReportedOnce()
    {
        var logger = new RecordingLogger();
        var rule = new ConsolidationRule(TimeSpan.FromMinutes(5), new Regex("^2 .* A: "), LogLevel.Warning);
        var handler = Handler(logger, new FixedHandler(ResponseCode.ServFail, false), rule);
        var consolidator = new ErrorsConsolidator(handler.Consolidation, logger);
        await consolidator.StartAsync(CancellationToken.None);

        Query(handler, "a.example.org.", RecordType.A);
        Query(handler, "b.example.org.", RecordType.A);
        Query(handler, "c.example.org.", RecordType.AAAA);
        await consolidator.StopAsync(CancellationToken.None);

        Assert.Equal(
            [(LogLevel.Error, "2 c.example.org. AAAA: no plugin could answer"), (LogLevel.Warning, "2 errors like '^2 .* A: ' occurred in last 5m0s")],
            logger.Entries.ToArray());
    }

    [Fact]
    public async Task ShowFirstLogsTheFirstErrorOfAPeriodInFullAndCountsTheRest()
    {
        var logger = new RecordingLogger();
        var rule = new ConsolidationRule(TimeSpan.FromMinutes(5), new Regex("^2 .* A: "), LogLevel.Warning, ShowFirst: true);
        var handler = Handler(logger, new FixedHandler(ResponseCode.ServFail, false), rule);
        var consolidator = new ErrorsConsolidator(handler.Consolidation, logger);
        await consolidator.StartAsync(CancellationToken.None);

        Query(handler, "a.example.org.", RecordType.A);
        Query(handler, "b.example.org.", RecordType.A);
        Query(handler, "c.example.org.", RecordType.A);
        consolidator.Report(handler.Consolidation[0]);
        Query(handler, "d.example.org.", RecordType.A);
        await consolidator.StopAsync(CancellationToken.None);

        Assert.Equal(
            [
                (LogLevel.Warning, "2 a.example.org. A: no plugin could answer"),
                (LogLevel.Warning, "3 errors like '^2 .* A: ' occurred in last 5m0s"),
                (LogLevel.Warning, "2 d.example.org. A: no plugin could answer"),
                (LogLevel.Warning, "1 errors like '^2 .* A: ' occurred in last 5m0s"),
            ],
            logger.Entries.ToArray());
    }

    [Theory]
    [InlineData("consolidate 30s x", false, LogLevel.Error)]
    [InlineData("consolidate 30s x show_first", true, LogLevel.Error)]
    [InlineData("consolidate 30s x info show_first", true, LogLevel.Information)]
    [InlineData("consolidate 30s x info", false, LogLevel.Information)]
    public void ParsesShowFirst(string line, bool showFirst, LogLevel level)
    {
        var block = Setup(new ErrorsSetup(), $". {{\n errors {{\n {line}\n }}\n}}\n", "/tmp/Corefile");

        var rule = Assert.Single(Assert.IsType<ErrorsHandler>(Assert.Single(block.Handlers)).Consolidation).Rule;
        Assert.Equal(showFirst, rule.ShowFirst);
        Assert.Equal(level, rule.Level);
    }

    [Fact]
    public void ParsesConsolidateAndStacktrace()
    {
        var block = Setup(new ErrorsSetup(), ". {\n errors {\n stacktrace\n consolidate 30s ^timeout warning\n consolidate 1m refused\n }\n}\n", "/tmp/Corefile");

        var handler = Assert.IsType<ErrorsHandler>(Assert.Single(block.Handlers));
        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1)], handler.Consolidation.Select(c => c.Rule.Period).ToArray());
        Assert.Equal([LogLevel.Warning, LogLevel.Error], handler.Consolidation.Select(c => c.Rule.Level).ToArray());
        Assert.Single(block.Context.Components);
    }

    [Theory]
    [InlineData("errors stderr", "expects no arguments")]
    [InlineData("errors {\n consolidate 30s (\n }", "not a valid regular expression")]
    [InlineData("errors {\n consolidate 30s x fatal\n }", "unknown log level 'fatal'")]
    [InlineData("errors {\n consolidate x\n }", "expects 2 to 4 arguments")]
    [InlineData("errors {\n consolidate 30s x warning error\n }", "expected show_first after the level")]
    [InlineData("errors {\n consolidate 30s x show_first warning\n }", "expected show_first after the level, not 'warning'")]
    [InlineData("errors {\n consolidate 30s x warning show_first extra\n }", "expects 2 to 4 arguments")]
    [InlineData("errors {\n verbose\n }", "unknown property 'verbose'")]
    [InlineData("errors\n errors", "more than once")]
    public void BadDirectivesAreErrors(string directive, string expected)
    {
        var error = Assert.Throws<CorefileException>(() => Setup(new ErrorsSetup(), $". {{\n {directive}\n}}\n", "/tmp/Corefile"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
