using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Log;
using ClusterDns.Server.Tests.Plugins.Log;
using ClusterDns.Server.Tests.Support;
using ClusterDns.Server.Tests.Zones;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Metadata;

/// <summary>
/// Metadata end to end: providers (view's <c>view/name</c>, kubernetes' request parts) read by template's
/// <c>.Meta</c>, view's <c>metadata()</c> and log's <c>{/label}</c>, with real dig.
/// </summary>
public class MetadataConsumersTests
{
    [Fact]
    public async Task Template_reads_view_and_kubernetes_metadata_and_a_view_reads_metadata()
    {
        await using var server = await CorefileServer.StartAsync("""
            cluster.local:{PORT} {
                view pods {
                    expr metadata('kubernetes/kind') == 'pod'
                }
                metadata
                template IN TXT cluster.local {
                    answer "{{ .Name }} 5 IN TXT view={{ .Meta \"view/name\" }} ns={{ .Meta \"kubernetes/namespace\" }}"
                }
                kubernetes cluster.local {
                    manifests cluster
                }
            }
            cluster.local:{PORT} {
                metadata
                template IN TXT cluster.local {
                    answer "{{ .Name }} 5 IN TXT view={{ .Meta \"view/name\" }} kind={{ .Meta \"kubernetes/kind\" }} svc={{ .Meta \"kubernetes/service\" }} port={{ .Meta \"kubernetes/port-name\" }} proto={{ .Meta \"kubernetes/protocol\" }}"
                }
                kubernetes cluster.local {
                    manifests cluster
                }
            }
            example.org:{PORT} {
                template IN TXT example.org {
                    answer "{{ .Name }} 5 IN TXT view={{ .Meta \"view/name\" }}"
                }
            }
            """,
            new Dictionary<string, string> { ["cluster/empty.yaml"] = "" });

        Assert.Equal(["\"view=pods\" \"ns=ns1\""], await DigClient.ShortAsync(server.Port, "1-2-3-4.ns1.pod.cluster.local TXT"));
        Assert.Equal(["\"view=\" \"kind=svc\" \"svc=web\" \"port=http\" \"proto=tcp\""],
            await DigClient.ShortAsync(server.Port, "_http._tcp.web.default.svc.cluster.local TXT"));
        // Without the metadata plugin every label reads empty.
        Assert.Equal(["\"view=\""], await DigClient.ShortAsync(server.Port, "www.example.org TXT"));
    }

    [Fact]
    public async Task Log_placeholders_read_metadata_captured_at_query_time()
    {
        var logger = new RecordingLogger();
        var writer = new QueryLogWriter(logger);
        var handler = new LogHandler(writer) { Next = new TerminalHandler() };
        handler.AddRules([new LogRule(DnsName.Root, "{name} {/view/name} {/other/label} {/missing}", ResponseClasses.All)]);
        var metadata = new MetadataSet([new FuncMetadataProvider("view/name", c => c.Block?.ViewName), new FuncMetadataProvider("other/label", _ => "v")], [DnsName.Root]);
        var block = new ServerBlockRuntime([DnsName.Root], handler, [handler]) { Metadata = metadata, View = new FixedView("inside") };
        await writer.StartAsync(CancellationToken.None);

        var context = InProcessQuery.Prepare("www.example.org.", RecordType.A);
        context.Block = block;
        await handler.ServeAsync(context);
        context.Block = null; // the context is reused at once; the line must not depend on it
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(["www.example.org. inside v -"], logger.Messages.ToArray());
    }

    private sealed class FixedView(string name) : ViewFilter
    {
        public override string ViewName => name;

        public override bool Admits(DnsQueryContext context) => true;
    }
}
