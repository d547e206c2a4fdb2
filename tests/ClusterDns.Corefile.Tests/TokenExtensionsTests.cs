using System.Net;

namespace ClusterDns.Corefile.Tests;

public sealed class TokenExtensionsTests
{
    private static Token Arg(string text)
    {
        CorefileDocument document = CorefileParser.Parse($".:53 {{\n\n  x \"{text}\"\n}}\n", "Corefile", _ => null);
        return document.ServerBlocks[0].Directives[0].Args[0];
    }

    private static CorefileException ErrorFrom(Action action)
    {
        var error = Assert.Throws<CorefileException>(action);
        Assert.Equal(3, error.Line);
        return error;
    }

    public static TheoryData<string, TimeSpan> Durations() => new()
    {
        { "0", TimeSpan.Zero },
        { "0s", TimeSpan.Zero },
        { "5s", TimeSpan.FromSeconds(5) },
        { "1m30s", TimeSpan.FromSeconds(90) },
        { "500ms", TimeSpan.FromMilliseconds(500) },
        { "1h", TimeSpan.FromHours(1) },
        { "1.5h", TimeSpan.FromMinutes(90) },
        { "2h45m10s", new TimeSpan(2, 45, 10) },
        { "100us", TimeSpan.FromMicroseconds(100) },
        { "3µs", TimeSpan.FromMicroseconds(3) },
        { "300ns", TimeSpan.FromTicks(3) },
        { ".5s", TimeSpan.FromMilliseconds(500) },
    };

    [Theory]
    [MemberData(nameof(Durations))]
    public void Parses_go_durations(string text, TimeSpan expected)
    {
        Assert.Equal(expected, Arg(text).ParseDuration());
    }

    [Theory]
    [InlineData("5", "duration '5' is missing a unit (ns, us, ms, s, m, h)")]
    [InlineData("-5s", "duration '-5s' must not be negative")]
    [InlineData("5x", "duration '5x' has unknown unit 'x' (ns, us, ms, s, m, h)")]
    [InlineData("", "empty duration")]
    [InlineData("s", "'s' is not a duration (expected e.g. 5s, 1m30s, 500ms)")]
    [InlineData("1..5s", "'1..5s' is not a duration (expected e.g. 5s, 1m30s, 500ms)")]
    [InlineData("9999999999999h", "duration '9999999999999h' is too large")]
    public void Rejects_bad_durations(string text, string reason)
    {
        Assert.Equal(reason, ErrorFrom(() => Arg(text).ParseDuration()).Reason);
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("0", 0)]
    [InlineData("30s", 30)]
    [InlineData("1m", 60)]
    public void Parses_seconds_or_durations(string text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Arg(text).ParseSeconds());
    }

    [Theory]
    [InlineData("-1", "'-1' is not a number of seconds or a duration (expected e.g. 30 or 30s)")]
    [InlineData("thirty", "'thirty' is not a number of seconds or a duration (expected e.g. 30 or 30s)")]
    [InlineData("99999999999999999999", "'99999999999999999999' seconds is too large")]
    public void Rejects_bad_seconds(string text, string reason)
    {
        Assert.Equal(reason, ErrorFrom(() => Arg(text).ParseSeconds()).Reason);
    }

    [Fact]
    public void Parses_integers_in_range()
    {
        Assert.Equal(30, Arg("30").ParseInt(0, 3600));
        Assert.Equal(-1, Arg("-1").ParseInt());
        Assert.Equal("3601 is out of range (0-3600)", ErrorFrom(() => Arg("3601").ParseInt(0, 3600)).Reason);
        Assert.Equal("'1e3' is not an integer", ErrorFrom(() => Arg("1e3").ParseInt(0, 3600)).Reason);
        Assert.Equal("'99999999999' is not an integer", ErrorFrom(() => Arg("99999999999").ParseInt()).Reason);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("f", false)]
    [InlineData("False", false)]
    public void Parses_booleans(string text, bool expected)
    {
        Assert.Equal(expected, Arg(text).ParseBool());
    }

    [Fact]
    public void Rejects_bad_booleans()
    {
        Assert.Equal("'yes' is not a boolean (expected true or false)", ErrorFrom(() => Arg("yes").ParseBool()).Reason);
    }

    public static TheoryData<string, string> EndPoints() => new()
    {
        { "1.2.3.4", "1.2.3.4:53" },
        { "1.2.3.4:5353", "1.2.3.4:5353" },
        { "0.0.0.0:8080", "0.0.0.0:8080" },
        { "::1", "[::1]:53" },
        { "[::1]", "[::1]:53" },
        { "[::1]:5353", "[::1]:5353" },
        { "2001:db8::53", "[2001:db8::53]:53" },
        { ":9153", "[::]:9153" },
    };

    [Theory]
    [MemberData(nameof(EndPoints))]
    public void Parses_endpoints(string text, string expected)
    {
        Assert.Equal(IPEndPoint.Parse(expected), Arg(text).ParseIPEndPoint(53));
    }

    [Theory]
    [InlineData("localhost:8080", "'localhost' is not an IP address")]
    [InlineData("10", "'10' is not an IP address")]
    [InlineData("1.2.3", "'1.2.3' is not an IP address")]
    [InlineData("1.2.3.4:", "'1.2.3.4:' has an invalid port '' (expected 0-65535)")]
    [InlineData("1.2.3.4:65536", "'1.2.3.4:65536' has an invalid port '65536' (expected 0-65535)")]
    [InlineData("[::1", "'[::1' is missing ']'")]
    [InlineData("[::1]x", "'[::1]x' is not an address (expected [IPv6]:port)")]
    [InlineData("fe80::1%eth0", "'fe80::1%eth0' is not an IP address (zone indexes are not supported)")]
    public void Rejects_bad_endpoints(string text, string reason)
    {
        Assert.Equal(reason, ErrorFrom(() => Arg(text).ParseIPEndPoint(53)).Reason);
    }

    [Fact]
    public void Parses_zone_arguments()
    {
        Assert.Equal(["cluster.local."], Arg("Cluster.Local").ParseZones());
        Assert.Equal(["10.in-addr.arpa."], Arg("10.0.0.0/8").ParseZones());
        Assert.Equal("'a..b' is not a valid zone name: empty label", ErrorFrom(() => Arg("a..b").ParseZones()).Reason);
    }
}
