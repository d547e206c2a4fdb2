using ClusterDns.Protocol.Text;

namespace ClusterDns.Protocol.Tests;

public class ZoneFileReaderTests
{
    private static readonly DnsName Origin = DnsName.Parse("example.test.");

    private static string Zones => Path.Combine(AppContext.BaseDirectory, "testdata", "zones");

    private static string[] ExpectedLines(string file) =>
        File.ReadAllLines(Path.Combine(Zones, file)).Where(l => l.Length > 0 && !l.StartsWith(';')).ToArray();

    [Fact]
    public void Every_syntax_feature_gives_the_expected_records()
    {
        var result = ZoneFileReader.Read(Path.Combine(Zones, "full.zone"));

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal(ExpectedLines("full.expected"), result.Records.Select(r => r.ToString()));
    }

    [Fact]
    public void Without_ttl_the_soa_minimum_then_the_previous_ttl_apply()
    {
        var result = ZoneFileReader.Read(Path.Combine(Zones, "no-ttl.zone"));

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal([300u, 600u, 600u, 600u], result.Records.Select(r => r.Ttl));
    }

    [Fact]
    public void Origin_argument_is_the_initial_origin()
    {
        var result = ZoneFileReader.Read(new StringReader("$TTL 60\n@ NS ns\nwww A 192.0.2.1\n"), "inline.zone", DnsName.Parse("cluster.local"));

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal(["cluster.local. 60 IN NS ns.cluster.local.", "www.cluster.local. 60 IN A 192.0.2.1"], result.Records.Select(r => r.ToString()));
    }

    [Fact]
    public void Crlf_line_ends_and_an_unnamed_source_are_fine()
    {
        var text = "$TTL 60\r\n@ SOA ns1 hostmaster (\r\n 1 2 3 4 5 )\r\n\r\nwww A 192.0.2.1\r\n";

        var result = ZoneFileReader.Read(new StringReader(text), "", Origin);

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal(2, result.Records.Count);
        Assert.Equal("www.example.test. 60 IN A 192.0.2.1", result.Records[1].ToString());
    }

    [Fact]
    public void Include_path_with_a_nul_is_an_error_not_an_exception()
    {
        var result = ZoneFileReader.Read(new StringReader("$INCLUDE \"a\\000b\"\n"), "inline.zone", Origin);

        Assert.Equal(1, result.Error?.Line);
        Assert.Contains("$INCLUDE", result.Error?.Message);
    }

    [Fact]
    public void Records_read_from_a_file_write_and_parse_back()
    {
        var result = ZoneFileReader.Read(Path.Combine(Zones, "full.zone"));
        var message = new DnsMessage();
        message.Answers.AddRange(result.Records);

        Assert.Equal(DnsError.None, DnsMessage.TryParse(message.ToArray(), out var parsed));

        Assert.Equal(result.Records, parsed.Answers);
    }

    public static TheoryData<string, int, string> Errors => new()
    {
        { "$TTL 1h\nwww A 1.2.3\n", 2, "A: bad IPv4 address '1.2.3'" },
        { "$TTL 1h\n\n; comment\nwww BOGUS x\n", 4, "unknown record type 'BOGUS'" },
        { "$TTL 1h\n  A 192.0.2.1\n", 2, "no owner name" },
        { "www A 192.0.2.1\n", 1, "no TTL given" },
        { "$TTL 1h\n@ SOA ns1 hostmaster (\n 1 2 3 4 5\n", 2, "'(' not closed" },
        { "$TTL 1h\nwww A 192.0.2.1 )\n", 2, "')' without '('" },
        { "$TTL 1h\ntxt TXT \"unterminated\nwww A 192.0.2.1\n", 2, "unterminated quoted string" },
        { "$TTL 1x\n", 1, "bad $TTL '1x'" },
        { "$TTL 1h\nwww 1y A 192.0.2.1\n", 2, "bad TTL '1y'" },
        { "$TTL 99999999999\n", 1, "bad $TTL" },
        { "$GENERATE 1-10 host$ A 10.0.0.$\n", 1, "$GENERATE is not supported" },
        { "$FOO bar\n", 1, "unknown directive '$FOO'" },
        { "$TTL 1h\nwww IN\n", 2, "missing record type" },
        { "$TTL 1h\nwww CH TXT \"x\"\nx IN A 192.0.2.1\n", 3, "class IN differs from the zone's class CH" },
        { "$TTL 1h\nwww ANY 192.0.2.1\n", 2, "ANY is not a record type a zone can hold" },
        { "$TTL 1h\nwww..x A 192.0.2.1\n", 2, "owner: bad name 'www..x': empty label" },
        { "$INCLUDE missing.inc\n", 1, "$INCLUDE missing.inc: cannot read zone file" },
        { "$ORIGIN\n", 1, "$ORIGIN takes one name" },
        { "$INCLUDE\n", 1, "$INCLUDE takes a file name" },
        { "$TTL 1h\n@ MX 10\n", 2, "MX: expected 2 RDATA fields" },
        { "$TTL 1h\n@ SOA ns1 hostmaster (\n 1 2h 30m 2w\n x )\n", 2, "SOA: bad minimum 'x'" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Error_names_the_file_and_line(string text, int line, string message)
    {
        var result = ZoneFileReader.Read(new StringReader(text), "inline.zone", Origin);

        Assert.False(result.Succeeded);
        Assert.Empty(result.Records);
        Assert.NotNull(result.Error);
        Assert.Equal("inline.zone", result.Error.File);
        Assert.Equal(line, result.Error.Line);
        Assert.Contains(message, result.Error.Message);
        Assert.StartsWith($"inline.zone:{line}: ", result.Error.ToString());
    }

    [Fact]
    public void Relative_name_without_an_origin_is_an_error()
    {
        var result = ZoneFileReader.Read(new StringReader("www 60 A 192.0.2.1\n"), "inline.zone");

        Assert.Equal("inline.zone:1: owner: relative name 'www' with no origin", result.Error?.ToString());
    }

    [Fact]
    public void Error_in_an_included_file_names_that_file()
    {
        var result = ZoneFileReader.Read(Path.Combine(Zones, "bad-include.zone"), Origin);

        Assert.NotNull(result.Error);
        Assert.Equal(Path.Combine(Zones, "include", "bad.inc"), result.Error.File);
        Assert.Equal(3, result.Error.Line);
    }

    [Fact]
    public void Include_cycle_is_an_error_at_the_include_that_closes_it()
    {
        var result = ZoneFileReader.Read(Path.Combine(Zones, "cycle-a.zone"), Origin);

        Assert.NotNull(result.Error);
        Assert.Equal(Path.Combine(Zones, "cycle-b.zone"), result.Error.File);
        Assert.Equal(2, result.Error.Line);
        Assert.Contains("include cycle", result.Error.Message);
    }

    [Fact]
    public void Includes_nested_too_deep_are_an_error()
    {
        string directory = Path.Combine(Path.GetTempPath(), "zonefile-depth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            for (int i = 0; i < ZoneFileReader.MaxIncludeDepth + 2; i++)
            {
                File.WriteAllText(Path.Combine(directory, $"{i}.zone"), $"$TTL 1h\nh{i} A 192.0.2.1\n$INCLUDE {i + 1}.zone\n");
            }
            File.WriteAllText(Path.Combine(directory, $"{ZoneFileReader.MaxIncludeDepth + 2}.zone"), "");

            var result = ZoneFileReader.Read(Path.Combine(directory, "0.zone"), Origin);

            Assert.NotNull(result.Error);
            Assert.Equal(3, result.Error.Line);
            Assert.Contains("nested deeper than", result.Error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Missing_file_is_an_error_not_an_exception()
    {
        var result = ZoneFileReader.Read(Path.Combine(Zones, "does-not-exist.zone"));

        Assert.NotNull(result.Error);
        Assert.Equal(0, result.Error.Line);
        Assert.Contains("cannot read zone file", result.Error.Message);
    }

    [Theory]
    [InlineData("0", 0u)]
    [InlineData("3600", 3600u)]
    [InlineData("1h30m", 5400u)]
    [InlineData("1H30M", 5400u)]
    [InlineData("2d", 172800u)]
    [InlineData("1w", 604800u)]
    [InlineData("1w2d3h4m5s", 788645u)]
    [InlineData("1h30", 3630u)]
    [InlineData("4294967295", 4294967295u)]
    public void Bind_durations(string text, uint seconds)
    {
        Assert.True(PresentationText.TryParseTime(text, "TTL", out uint value, out var error), error);
        Assert.Equal(seconds, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("h")]
    [InlineData("1x")]
    [InlineData("1hh")]
    [InlineData("4294967296")]
    [InlineData("7102w")]
    [InlineData("-1")]
    public void Bad_durations(string text)
    {
        Assert.False(PresentationText.TryParseTime(text, "TTL", out _, out var error));
        Assert.Contains($"bad TTL '{text}'", error);
    }
}
