using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Testing.Oracles;
using Xunit.Abstractions;

namespace ClusterDns.Fuzz.Tests;

/// <summary>
/// Mutated packets through the whole query path as a listener drives it (one reused context, UDP and TCP sizes).
/// For every input: nothing escapes, no handler faults, no hang; QR=1 and header-less input gets no response,
/// every other input gets one that parses, carries the query's ID and fits the transport's limit.
/// </summary>
public sealed class QueryPathFuzzTests : IClassFixture<QueryPathHarness>
{
    private readonly QueryPathHarness _harness;
    private readonly ITestOutputHelper _output;

    public QueryPathFuzzTests(QueryPathHarness harness, ITestOutputHelper output)
    {
        _harness = harness;
        _output = output;
    }

    [Theory]
    [InlineData(TransportKind.Udp)]
    [InlineData(TransportKind.Tcp)]
    public void MutatedQueriesGetWellFormedAnswersOrNone(TransportKind transport)
    {
        var mutator = new DnsMutator(new Random(FuzzSettings.Seed + (int)transport), FuzzSeeds.Load());
        var context = new DnsQueryContext();
        var rcodes = new long[24];
        long dropped = 0;

        var report = new FuzzLoop().Run(FuzzSettings.Iterations(1_500_000), FuzzSettings.StepBound, mutator.Next, (input, _) =>
        {
            input.CopyTo(context.Buffer, 0);
            context.Reset(input.Length, transport);
            Complete(_harness.Processor.ProcessAsync(context));
            if (Check(input, context) is { } rcode)
            {
                rcodes[Math.Min((int)rcode, rcodes.Length - 1)]++;
            }
            else
            {
                dropped++;
            }
        });

        _output.WriteLine($"{transport}: {report.Iterations} inputs in {report.Elapsed.TotalSeconds:F1} s ({report.PerSecond:F0}/s); dropped {dropped}; " +
            $"NOERROR {rcodes[0]} FORMERR {rcodes[1]} SERVFAIL {rcodes[2]} NXDOMAIN {rcodes[3]} NOTIMP {rcodes[4]} REFUSED {rcodes[5]} BADVERS {rcodes[16]}");
        Assert.Equal(0, Interlocked.Read(ref _harness.Faults.Faults));
        // The corpus must keep reaching real answers, not only the parser's error paths.
        Assert.True(rcodes[0] + rcodes[3] > report.Iterations / 20, "too few NOERROR/NXDOMAIN answers: the mutator no longer reaches the handlers");
    }

    /// <summary>Answers from memory complete at once; anything else is waited for (the watchdog bounds it).</summary>
    private static void Complete(ValueTask processing)
    {
        if (!processing.IsCompletedSuccessfully)
        {
            processing.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <returns>The response's RCODE, or null when (correctly) nothing was sent.</returns>
    private static ResponseCode? Check(byte[] input, DnsQueryContext context)
    {
        bool headerReadable = input.Length >= DnsHeader.Size;
        bool isResponse = headerReadable && (input[2] & 0x80) != 0;
        if (!headerReadable || isResponse)
        {
            if (context.ResponseLength != 0)
            {
                throw new FuzzFailureException($"answered a packet that must be dropped ({(headerReadable ? "QR=1" : "no header")})");
            }
            return null;
        }
        if (context.ResponseLength == 0)
        {
            throw new FuzzFailureException("a query with a readable header got no response");
        }
        if (context.ResponseLength > context.MaxResponseSize)
        {
            throw new FuzzFailureException($"response of {context.ResponseLength} bytes over the limit {context.MaxResponseSize}");
        }
        var response = context.Response;
        var error = DnsMessage.TryParse(response, out var message);
        if (error != DnsError.None)
        {
            throw new FuzzFailureException($"response does not parse: {error}; response {Convert.ToHexString(response)}");
        }
        // Every answer must also read alike in DnsClient and ARSoft.Tools.Net (issue 20's independent oracles).
        ResponseOracle.AssertParses(response);
        if (message.Header.Id != DnsMutator.ReadId(input) || !message.Header.IsResponse)
        {
            throw new FuzzFailureException($"response ID {message.Header.Id:x4} QR={message.Header.IsResponse} for query ID {DnsMutator.ReadId(input):x4}");
        }
        return message.Rcode;
    }
}
