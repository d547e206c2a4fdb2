using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Telemetry;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Autopath;
using ClusterDns.Server.Tests.Plugins.Forward;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Server.Tests.Plugins.Autopath;

/// <summary>Odd questions and big answers through a walk: never an exception, always a well-formed answer.</summary>
public sealed class AutopathOddInputTests
{
    private static AutopathHandler Handler(DnsHandler next) =>
        new(new AutopathOptions { Zones = [DnsName.Root], Search = [DnsName.Parse("example.org."), DnsName.Parse("com.")] },
            new AutopathMetrics(new MetricsRegistry(), "dns://:53")) { Next = next };

    [Fact]
    public async Task Every_prefix_and_byte_flip_of_a_walked_query_is_answered_or_dropped_without_an_exception()
    {
        var backend = new AutopathTestBackend(new Dictionary<string, ResponseCode> { ["b.com."] = ResponseCode.NoError });
        var handler = Handler(backend);
        var block = new ServerBlockRuntime([DnsName.Root], handler, [handler, backend]);
        var faults = new FaultCounter();
        var processor = new QueryProcessor(new ZoneRouter([block]), faults, NullLogger.Instance);
        var query = TestDns.Query("b.example.org.", edns: true);
        var random = new Random(17);
        var inputs = Enumerable.Range(0, query.Length).Select(n => query[..n]).ToList();
        for (int i = 0; i < 500; i++)
        {
            var flipped = (byte[])query.Clone();
            flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
            inputs.Add(flipped);
        }
        int answered = 0;
        foreach (var input in inputs)
        {
            var context = new DnsQueryContext();
            input.CopyTo(context.Buffer, 0);
            context.Reset(input.Length, TransportKind.Udp);
            await processor.ProcessAsync(context);
            if (context.ResponseLength > 0)
            {
                Assert.Equal(DnsError.None, DnsMessage.TryParse(context.Response, out _));
                answered++;
            }
        }
        Assert.Equal(0, faults.Faults); // a handler that threw would have been answered SERVFAIL and counted here
        Assert.True(answered > inputs.Count / 2);
        Assert.Contains("b.com.", backend.Asked); // the intact query walked
    }

    /// <summary>An answer that fits the walk's own question may not fit behind the client's longer one plus the CNAME.</summary>
    [Fact]
    public async Task An_answer_that_no_longer_fits_udp_is_cut_at_whole_records_with_tc()
    {
        var handler = Handler(new ManyAddresses());

        var response = await TestDns.RunAsync(handler, TestDns.Query("big.example.org."));

        Assert.True(response.Header.Truncated);
        Assert.Equal("big.example.org.", response.Questions[0].Name.ToString());
        Assert.Equal(RecordType.CNAME, response.Answers[0].Type);
        Assert.InRange(response.Answers.Count, 2, 31);
    }

    private sealed class FaultCounter : IQueryObserver
    {
        public int Faults { get; private set; }

        public void OnQueryCompleted(DnsQueryContext context, ResponseCode rcode)
        {
        }

        public void OnHandlerFault(DnsQueryContext context) => Faults++;
    }

    /// <summary>big.com answers as many of 31 A records as fit 512 bytes (no EDNS) behind its own, shorter question.</summary>
    private sealed class ManyAddresses : DnsHandler
    {
        public override string Name => "file";

        public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
        {
            if (DnsName.Format(context.LowerName) != "big.com.")
            {
                return new(HandlerResult.NotWritten(ResponseCode.ServFail));
            }
            var writer = context.BeginResponse();
            for (int i = 0; i < 31; i++)
            {
                writer.TryWriteRecordAt(DnsHeader.Size, RecordType.A, 1, 60, IPAddress.Parse($"192.0.2.{i + 1}").GetAddressBytes(), MessageSection.Answer);
            }
            context.CompleteResponse(ref writer, ResponseCode.NoError, authoritative: true, truncated: false);
            return new(HandlerResult.Written(ResponseCode.NoError));
        }
    }
}
