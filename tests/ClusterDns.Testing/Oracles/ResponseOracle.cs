using ClusterDns.Protocol;
using Xunit;

namespace ClusterDns.Testing.Oracles;

/// <summary>
/// The one check every received response goes through: our parser, ARSoft.Tools.Net and DnsClient.NET must each
/// read it, and the libraries must see what we see (header, counts, question, every record). A response that
/// only our own codec can read would pass our tests and fail real clients; two independent readers catch that.
/// </summary>
public static class ResponseOracle
{
    /// <summary>Asserts that all three parsers read <paramref name="wire"/> alike; returns our parse.</summary>
    public static DnsMessage AssertParses(ReadOnlySpan<byte> wire)
    {
        var error = DnsMessage.TryParse(wire, out var ours);
        if (error != DnsError.None)
        {
            Assert.Fail($"response does not parse: {error}\n{Convert.ToHexString(wire)}");
        }
        var bytes = wire.ToArray();
        ArsoftOracle.AssertAgrees(bytes, ours);
        DnsClientOracle.AssertAgrees(bytes, ours);
        return ours;
    }
}
