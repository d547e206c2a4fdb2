using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Server.Tests.Zones;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Metadata;

/// <summary>The metadata seam in Pipeline: values are computed only when read, only in the plugin's zones.</summary>
public class MetadataSetTests
{
    private sealed class CountingProvider(string label, string? value) : MetadataProvider(label)
    {
        public int Calls { get; private set; }

        public override string? ValueFor(DnsQueryContext context)
        {
            Calls++;
            return value;
        }
    }

    [Fact]
    public async Task A_query_nobody_asks_about_computes_nothing()
    {
        var provider = new CountingProvider("test/value", "x");
        var handler = new TerminalHandler();
        var block = new ServerBlockRuntime([DnsName.Root], handler, [handler]) { Metadata = new MetadataSet([provider], [DnsName.Root]) };
        var processor = new QueryProcessor(new ZoneRouter([block]), NullQueryObserver.Instance, NullLogger.Instance);

        var context = InProcessQuery.Prepare("www.example.org.", RecordType.A);
        await processor.ProcessAsync(context);

        Assert.Same(block, context.Block);
        Assert.Equal(0, provider.Calls);
        Assert.Equal("x", context.GetMetadata("test/value"));
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public void Unknown_labels_empty_values_and_names_outside_the_zones_have_no_metadata()
    {
        var set = new MetadataSet([new CountingProvider("test/value", "x"), new CountingProvider("test/empty", ""), new CountingProvider("test/value", "second")],
            [DnsName.Parse("example.org.")]);
        var handler = new TerminalHandler();
        var block = new ServerBlockRuntime([DnsName.Root], handler, [handler]) { Metadata = set };

        var inside = InProcessQuery.Prepare("www.example.org.", RecordType.A);
        inside.Block = block;
        var outside = InProcessQuery.Prepare("www.example.net.", RecordType.A);
        outside.Block = block;

        Assert.Equal("x", inside.GetMetadata("test/value")); // the first provider of a label keeps it
        Assert.Null(inside.GetMetadata("test/empty"));
        Assert.Null(inside.GetMetadata("test/none"));
        Assert.Null(outside.GetMetadata("test/value"));
        Assert.Equal(["test/value", "test/empty"], set.Labels);
    }

    [Fact]
    public void A_block_without_the_metadata_plugin_has_none()
    {
        var handler = new TerminalHandler();
        var context = InProcessQuery.Prepare("www.example.org.", RecordType.A);
        Assert.Null(context.GetMetadata("view/name"));
        context.Block = new ServerBlockRuntime([DnsName.Root], handler, [handler]);
        Assert.Null(context.GetMetadata("view/name"));
    }
}
