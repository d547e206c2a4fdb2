using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Any;
using ClusterDns.Server.Plugins.Chaos;
using ClusterDns.Server.Plugins.Header;
using ClusterDns.Server.Plugins.Local;
using ClusterDns.Server.Plugins.Nsid;

namespace ClusterDns.Server.Tests.Plugins.SmallAnswers;

/// <summary>
/// header → nsid → chaos → local → any: their own answers, and queries passing through all five, allocate nothing
/// (everything is encoded at setup).
/// </summary>
public sealed class SmallAnswerPluginsAllocationTests
{
    private const int Iterations = 2_000;

    public static TheoryData<string, RecordType, RecordClass, bool> Queries => new()
    {
        { "version.bind.", RecordType.TXT, RecordClass.CH, true },
        { "authors.bind.", RecordType.TXT, RecordClass.CH, true },
        { "localhost.", RecordType.A, RecordClass.IN, true },
        { "a.b.localhost.", RecordType.MX, RecordClass.IN, true },
        { "1.0.0.127.in-addr.arpa.", RecordType.PTR, RecordClass.IN, true },
        { "9.0.0.127.in-addr.arpa.", RecordType.PTR, RecordClass.IN, true },
        { "example.org.", RecordType.ANY, RecordClass.IN, true },
        { "example.org.", RecordType.A, RecordClass.IN, false },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void Answers_and_pass_throughs_allocate_nothing(string name, RecordType type, RecordClass recordClass, bool answered)
    {
        var chain = Chain();
        var edns = new EdnsRecord { Options = [new EdnsOption(EdnsOption.Nsid, [])] };
        var query = new DnsMessage { Edns = edns };
        query.Questions.Add(new DnsQuestion(DnsName.Parse(name), type, recordClass));
        var bytes = query.ToArray();
        var context = new DnsQueryContext();
        int written = 0;
        for (int i = 0; i < 100; i++)
        {
            written += Serve(chain, context, bytes);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            // No assertion inside the loop: the assertion library allocates.
            written += Serve(chain, context, bytes);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(answered ? Iterations + 100 : 0, written);
        Assert.Equal(0, allocated);
    }

    private static int Serve(DnsHandler chain, DnsQueryContext context, byte[] bytes)
    {
        bytes.CopyTo(context.Buffer, 0);
        context.Reset(bytes.Length, TransportKind.Udp);
        var pending = chain.ServeAsync(context);
        return pending.IsCompletedSuccessfully && pending.Result.IsWritten ? 1 : 0;
    }

    private static DnsHandler Chain()
    {
        var any = new AnyHandler();
        var local = new LocalHandler(new LocalOptions()) { Next = any };
        var chaos = new ChaosHandler(new ChaosOptions("v1", ["a", "b"], "host")) { Next = local };
        var nsid = new NsidHandler("node"u8) { Next = chaos };
        var header = new HeaderHandler(new HeaderRules(0x0100, 0), new HeaderRules(0x0080, 0x0400)) { Next = nsid };
        return header;
    }
}
