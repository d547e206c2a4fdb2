using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.View;

namespace ClusterDns.Server.Tests.Plugins.View;

/// <summary>
/// The expression language of <c>view</c>: CoreDNS's functions (plugin/pkg/expression), its view_test cases
/// (a non-boolean result and a run-time error are "false") and its TestInCidr table, restated.
/// </summary>
public class ViewExpressionTests
{
    private static bool Eval(string text, DnsQueryContext context)
    {
        Assert.True(ViewExpression.TryParse(text, out var expression, out var error), error);
        return expression!.IsTrueFor(context);
    }

    public static TheoryData<string, bool> OnAnAQueryForExampleCom => new()
    {
        // CoreDNS view_test.go TestFilter_ErrorPaths.
        { "name() == 'example.com.'", true },
        { "name() == 'notexample.com.'", false },
        { "1", false },
        { "incidr('invalid', '1.2.3.0/24')", false },
        // Literals, quotes and escapes.
        { "name() == \"example.com.\"", true },
        { "'it\\'s' == \"it's\"", true },
        { "true", true },
        { "false", false },
        // Logic, precedence, negation (symbols and words).
        { "type() == 'A' && name() == 'example.com.'", true },
        { "type() == 'A' and name() == 'other.'", false },
        { "type() == 'AAAA' || name() == 'example.com.'", true },
        { "type() == 'AAAA' or false", false },
        { "!(type() == 'AAAA')", true },
        { "not (type() == 'A')", false },
        { "false && true || true", true },
        { "false && (true || true)", false },
        { "(type() == 'A' && name() == 'example.com.') || client_ip() == '1.2.3.4'", true },
        // Ordering: integers, and strings ordinally.
        { "size() > 12", true },
        { "size() < 12", false },
        { "id() == 4660", true },
        { "id() >= 4660 && id() <= 4660", true },
        { "opcode() == 0", true },
        { "'a' < 'b'", true },
        { "'b' <= 'a'", false },
        // Membership and string operators.
        { "type() in ['A', 'AAAA']", true },
        { "type() in ['MX']", false },
        { "type() not in ['MX', 'TXT']", true },
        { "id() in [1, 4660]", true },
        { "name() matches '^ex.*\\\\.com\\\\.$'", true },
        { "name() matches '^abc\\\\..*\\\\.example\\\\.com\\\\.$'", false },
        { "name() startsWith 'example'", true },
        { "name() endsWith '.com.'", true },
        { "name() contains 'mple.c'", true },
        { "name() contains 'org'", false },
        // The query's fields.
        { "class() == 'IN'", true },
        { "proto() == 'udp'", true },
        { "do() == false", true },
        { "bufsize() == 1232", true },
        { "client_ip() == '10.1.2.3'", true },
        { "port() == '40000'", true },
        { "server_ip() == '192.0.2.53'", true },
        { "server_port() == '1053'", true },
        { "incidr(client_ip(), '10.0.0.0/8')", true },
        { "incidr(client_ip(), '10.1.2.0/24')", true },
        { "incidr(client_ip(), '10.1.3.0/24')", false },
        { "incidr(client_ip(), '::/0')", false },
        { "incidr(server_ip(), '192.0.2.0/24')", true },
        { "incidr('1.2.3.4', '1.2.0.0/16')", true },
        // Without the metadata plugin every label is empty.
        { "metadata('view/name') == ''", true },
    };

    [Theory]
    [MemberData(nameof(OnAnAQueryForExampleCom))]
    public void Evaluates_on_an_A_query_from_10_1_2_3(string text, bool expected) => Assert.Equal(expected, Eval(text, ViewQueries.From("10.1.2.3")));

    // CoreDNS's TestInCidr, through the expression language.
    [Theory]
    [InlineData("1.2.3.4", "1.2.0.0/16", true)]
    [InlineData("10.2.3.4", "1.2.0.0/16", false)]
    [InlineData("1:2::3:4", "1:2::/64", true)]
    [InlineData("A:2::3:4", "1:2::/64", false)]
    [InlineData("[1:2::3:4]", "1:2::/64", true)]
    [InlineData("invalid", "1.2.0.0/16", false)]
    public void Incidr_as_coredns(string address, string range, bool expected) =>
        Assert.Equal(expected, Eval($"incidr('{address}', '{range}')", ViewQueries.From("10.1.2.3")));

    [Fact]
    public void A_range_that_does_not_parse_at_run_time_is_false()
    {
        Assert.False(Eval("incidr('1.2.3.4', name())", ViewQueries.From("10.1.2.3")));
        Assert.False(Eval("incidr(client_ip(), metadata('x/y'))", ViewQueries.From("10.1.2.3")));
    }

    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4", true)]
    [InlineData("::ffff:10.0.0.7", "10.0.0.0/8", true)] // a dual-stack socket's IPv4 client is IPv4
    [InlineData("fd00::1", "fd00::/8", true)]
    [InlineData("fd00::1", "10.0.0.0/8", false)]
    public void Client_addresses(string client, string range, bool expected)
    {
        var context = ViewQueries.From(client);
        var cidr = range.Contains('/') ? range : range + "/32";
        Assert.Equal(expected, Eval($"incidr(client_ip(), '{cidr}')", context));
    }

    [Fact]
    public void Client_ip_text_is_unmapped_and_ipv6_without_brackets()
    {
        Assert.True(Eval("client_ip() == '10.0.0.7'", ViewQueries.From("::ffff:10.0.0.7")));
        Assert.True(Eval("client_ip() == 'fd00::1'", ViewQueries.From("fd00::1")));
    }

    [Fact]
    public void Tcp_edns_do_and_case_of_the_name()
    {
        var tcp = ViewQueries.From("10.0.0.1", name: "WWW.Example.COM.", type: RecordType.AAAA, transport: TransportKind.Tcp, ednsSize: null);
        Assert.True(Eval("proto() == 'tcp' && bufsize() == 65535 && type() == 'AAAA'", tcp));
        Assert.True(Eval("name() == 'www.example.com.'", tcp));

        var plain = ViewQueries.From("10.0.0.1", ednsSize: null);
        Assert.True(Eval("bufsize() == 512", plain));
        var small = ViewQueries.From("10.0.0.1", ednsSize: 100);
        Assert.True(Eval("bufsize() == 512", small));
    }

    [Fact]
    public void Root_and_escaped_names()
    {
        Assert.True(Eval("name() == '.'", ViewQueries.From("10.0.0.1", name: ".", type: RecordType.NS)));
        Assert.True(Eval("name() == 'a\\\\.b.example.'", ViewQueries.From("10.0.0.1", name: "a\\.b.example.")));
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "", "unexpected end" },
        { "invalid expression", "unknown name 'invalid'" },
        { "name == 'example.com.'", "is a function" },
        { "incidr(client_ip, '10.0.0.0/24')", "is a function" },
        { "nosuch() == 1", "unknown function nosuch()" },
        { "name('x')", "takes 0 arguments" },
        { "incidr(client_ip())", "takes 2 arguments" },
        { "incidr(client_ip(), '10.0.0.0')", "is not a CIDR range" },
        { "incidr(client_ip(), 8)", "argument 2 must be a string" },
        { "name() == 1", "mismatched types string and int" },
        { "size() < 'a'", "mismatched types int and string" },
        { "type() && true", "mismatched types string and bool" },
        { "!name()", "mismatched type string" },
        { "type() in 'A'", "must be an array" },
        { "size() matches 'a'", "mismatched types int and string" },
        { "name() matches '('", "invalid regular expression" },
        { "name() == 'unterminated", "not terminated" },
        { "(name() == 'a'", "expected ')'" },
        { "name() == 'a')", "unexpected ')'" },
        { "name() = 'a'", "unexpected character '='" },
        { "type() in ['A' 'AAAA']", "expected ']'" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejected_when_the_corefile_is_read(string text, string reason)
    {
        Assert.False(ViewExpression.TryParse(text, out var expression, out var error));
        Assert.Null(expression);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Evaluating_a_common_view_allocates_nothing()
    {
        Assert.True(ViewExpression.TryParse("incidr(client_ip(), '10.0.0.0/8') && type() in ['A', 'AAAA'] && name() endsWith '.com.' && port() != '53'", out var expression, out _));
        var context = ViewQueries.From("10.1.2.3");
        Assert.True(expression!.IsTrueFor(context));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            expression.IsTrueFor(context);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Hostile_names_never_throw()
    {
        Assert.True(ViewExpression.TryParse("name() matches '.*' && client_ip() != '' && server_ip() != ''", out var expression, out _));
        var longName = string.Join('.', Enumerable.Repeat(new string('\\', 1) + "000" + new string('x', 40), 5)) + ".";
        var context = ViewQueries.From("10.0.0.1", name: longName);
        context.LocalAddress = null;
        Assert.False(expression!.IsTrueFor(context)); // no server address: '' == ''
        context.LocalAddress = IPAddress.IPv6Loopback;
        Assert.True(expression.IsTrueFor(context));
    }
}
