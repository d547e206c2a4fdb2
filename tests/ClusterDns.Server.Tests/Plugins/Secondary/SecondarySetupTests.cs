using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Secondary;

namespace ClusterDns.Server.Tests.Plugins.Secondary;

/// <summary>
/// <c>secondary [ZONES...] { transfer from ADDRESS...; fallthrough [ZONES...] }</c>: CoreDNS's plugin/secondary
/// setup_test.go (TestSecondaryParse) restated, and the start-up errors (file:line and reason) for what it refuses.
/// </summary>
public sealed class SecondarySetupTests
{
    private static readonly DnsName[] BlockZones = [DnsName.Parse("example.org.")];

    public static TheoryData<string, string[], string[], string[]?> Valid => new()
    {
        // CoreDNS case 1: zones from the server block; port 53 added.
        { "secondary {\n transfer from 127.0.0.1\n}", ["example.org."], ["127.0.0.1:53"], null },
        // CoreDNS case 2: the zone named.
        { "secondary example.org {\n transfer from 127.0.0.1\n}", ["example.org."], ["127.0.0.1:53"], null },
        // CoreDNS fallthrough cases: bare (every zone) and one zone.
        { "secondary {\n transfer from 127.0.0.1\n fallthrough\n}", ["example.org."], ["127.0.0.1:53"], [] },
        { "secondary example.org {\n transfer from 127.0.0.1\n fallthrough example.org\n}", ["example.org."], ["127.0.0.1:53"], ["example.org."] },
        // README: several primaries, tried in order; 'transfer from' may repeat; ports and IPv6.
        { "secondary {\n transfer from 10.0.1.1 10.1.2.1:5353\n transfer from [::1]:1053 ::2\n}", ["example.org."], ["10.0.1.1:53", "10.1.2.1:5353", "[::1]:1053", "[::2]:53"], null },
        { "secondary cluster.local in-addr.arpa {\n transfer from 10.96.0.10\n}", ["cluster.local.", "in-addr.arpa."], ["10.96.0.10:53"], null },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_directives_parse_to_their_zones_primaries_and_fallthrough(string directive, string[] zones, string[] primaries, string[]? fallthrough)
    {
        var options = Parse(directive);

        Assert.Equal(zones, options.Zones.Select(z => z.ToString()));
        Assert.Equal(primaries, options.Primaries.Select(p => p.ToString()));
        Assert.Equal(fallthrough, options.Fallthrough?.Select(z => z.ToString()));
    }

    [Theory]
    // CoreDNS: a bare 'secondary' is an error (nothing to transfer from), and so is a misspelt 'transferr'.
    [InlineData("secondary", 2, "needs 'transfer from ADDRESS...'")]
    [InlineData("secondary example.org {\n transferr from 127.0.0.1\n}", 3, "unknown property 'transferr'")]
    // CoreDNS's catalog (RFC 9432) is not implemented here: an error rather than a zone that silently lacks members.
    [InlineData("secondary catalog.example {\n transfer from 127.0.0.1\n catalog\n}", 4, "catalog zones")]
    // The bad input: no 'transfer from', and an address that is not one.
    [InlineData("secondary {\n}", 2, "needs 'transfer from ADDRESS...'")]
    [InlineData("secondary {\n transfer from\n}", 3, "needs at least one address")]
    [InlineData("secondary {\n transfer to 10.0.0.1\n}", 3, "expected 'transfer from ADDRESS...'")]
    [InlineData("secondary {\n transfer from primary.example.org\n}", 3, "primary.example.org")]
    [InlineData("secondary {\n transfer from 10.0.0.1:99999\n}", 3, "10.0.0.1:99999")]
    [InlineData("secondary {\n transfer from :53\n}", 3, "is not a primary's address")]
    public void Bad_directives_are_errors_at_their_line(string directive, int line, string reason)
    {
        var error = Assert.Throws<CorefileException>(() => Parse(directive));

        Assert.StartsWith($"Corefile:{line}:", error.Message);
        Assert.Contains(reason, error.Message);
    }

    private static SecondaryOptions Parse(string directive)
    {
        var block = CorefileParser.Parse($"example.org:53 {{\n{directive}\n}}\n", "Corefile").ServerBlocks[0];
        return SecondarySetup.Parse(block.Directives[0], BlockZones);
    }
}
