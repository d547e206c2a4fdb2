using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Bind;
using ClusterDns.Server.Plugins.Errors;
using ClusterDns.Server.Plugins.FilePlugin;
using ClusterDns.Server.Plugins.Hosts;
using ClusterDns.Server.Plugins.Log;
using ClusterDns.Server.Plugins.Whoami;
using Microsoft.Extensions.Logging.Abstractions;
using static ClusterDns.Server.Tests.Plugins.FilePlugin.PluginSetupHarness;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.FilePlugin;

/// <summary>The static plugins built from one Corefile by the real pipeline builder, queried through the query processor.</summary>
public sealed class StaticPluginsPipelineTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly QueryProcessor _processor;
    private readonly ServerPipeline _pipeline;

    public StaticPluginsPipelineTests()
    {
        System.IO.File.Copy(SampleZonePath, Path.Combine(_folder.Path, "db.example.org"));
        _folder.Write("hosts", "192.0.2.250 gw.example.org\n");
        string corefile = _folder.Write("Corefile", """
            example.org:1053 {
                file db.example.org
                hosts hosts {
                    fallthrough
                }
                log
                errors
                bind 127.0.0.1
            }
            whoami.test:1053 {
                whoami
            }
            """);
        var registry = new PluginRegistry([new FileSetup(), new HostsSetup(), new ErrorsSetup(), new LogSetup(), new WhoamiSetup(), new BindSetup()]);
        _pipeline = new PipelineBuilder(registry).Build(CorefileParser.ParseFile(corefile), new ServerBuildContext(corefile));
        _processor = new QueryProcessor(Assert.Single(_pipeline.Listeners).Router, NullQueryObserver.Instance, NullLogger.Instance);
    }

    public void Dispose() => _folder.Dispose();

    private DnsMessage Ask(string name, RecordType type)
    {
        var context = CreateContext(name, type);
        Assert.True(_processor.ProcessAsync(context).IsCompletedSuccessfully);
        Assert.Equal(DnsError.None, DnsMessage.TryParse(context.Response, out var response));
        return response;
    }

    [Fact]
    public void HandlersRunInCoreDnsOrder()
    {
        var block = _pipeline.Blocks.First(b => b.Zones[0].ToString() == "example.org.");

        Assert.Equal(["errors", "log", "hosts", "file"], block.Handlers.Select(h => h.Name).ToArray());
        Assert.Empty(Assert.Single(_pipeline.Listeners).Addresses);
        Assert.Equal(2, _pipeline.Components.Count(c => c is ZoneFileWatcher or HostsFileWatcher));
    }

    [Fact]
    public void HostsAnswersItsNamesAndFallsThroughToTheZone()
    {
        Assert.Equal(["gw.example.org. 3600 IN A 192.0.2.250"], Lines(Ask("gw.example.org.", RecordType.A).Answers));
        Assert.Equal(["www.example.org. 3600 IN A 192.0.2.10", "www.example.org. 3600 IN A 192.0.2.11"], Lines(Ask("www.example.org.", RecordType.A).Answers));
        Assert.Equal(ResponseCode.NXDomain, Ask("nope.example.org.", RecordType.A).Rcode);
    }

    [Fact]
    public void OtherBlocksAnswerTheirZones()
    {
        var response = Ask("me.whoami.test.", RecordType.A);

        Assert.Empty(response.Answers);
        Assert.Contains("me.whoami.test. 0 IN A 127.0.0.1", Lines(response.Additional));
    }
}
