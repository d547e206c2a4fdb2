using ClusterDns.Protocol;
using Xunit.Abstractions;

namespace ClusterDns.Fuzz.Tests;

/// <summary>The codec alone: DnsMessage.TryParse (and a write/re-parse round trip) and QueryParser on mutated packets.</summary>
public sealed class ParserFuzzTests
{
    private readonly ITestOutputHelper _output;

    public ParserFuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void MutatedPacketsNeverThrowAndParsedMessagesRoundTrip()
    {
        var mutator = new DnsMutator(new Random(FuzzSettings.Seed), FuzzSeeds.Load());
        var lowerName = new byte[WireName.MaxLength + 1];
        long accepted = 0, parsed = 0;

        var report = new FuzzLoop().Run(FuzzSettings.Iterations(2_000_000), FuzzSettings.StepBound, mutator.Next, (input, _) =>
        {
            var verdict = QueryParser.Parse(input, lowerName, out var query);
            Check(verdict, input, query);
            if (verdict == QueryVerdict.Accept)
            {
                accepted++;
            }
            if (DnsMessage.TryParse(input, out var message) == DnsError.None)
            {
                parsed++;
                // What we accept we can write again, and what we write parses.
                var written = message.ToArray();
                var again = DnsMessage.TryParse(written, out DnsMessage _);
                if (again != DnsError.None)
                {
                    throw new FuzzFailureException($"re-written message does not parse: {again}; written {Convert.ToHexString(written)}");
                }
            }
        });

        _output.WriteLine($"{report.Iterations} inputs in {report.Elapsed.TotalSeconds:F1} s ({report.PerSecond:F0}/s); QueryParser accepted {accepted}, DnsMessage parsed {parsed}; mutations {string.Join(' ', mutator.Applied)}");
        Assert.True(accepted > report.Iterations / 50, $"only {accepted} accepted queries: the mutator no longer reaches past the header");
    }

    private static void Check(QueryVerdict verdict, byte[] input, ParsedQuery query)
    {
        bool headerReadable = input.Length >= DnsHeader.Size;
        bool isResponse = headerReadable && (input[2] & 0x80) != 0;
        if ((verdict == QueryVerdict.Drop) != (!headerReadable || isResponse))
        {
            throw new FuzzFailureException($"verdict {verdict} for a packet with {(headerReadable ? "a" : "no")} header and QR={(isResponse ? 1 : 0)}");
        }
        if (verdict == QueryVerdict.Accept && (query.NameLength is < 1 or > WireName.MaxLength || query.QuestionEnd > input.Length))
        {
            throw new FuzzFailureException($"accepted with name length {query.NameLength} and question end {query.QuestionEnd} of {input.Length}");
        }
    }
}
