using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Hosts;
using ClusterDns.Server.Tests.Zones;
using static ClusterDns.Server.Tests.Plugins.FilePlugin.PluginSetupHarness;
using static ClusterDns.Server.Tests.Zones.ZoneQueryHarness;

namespace ClusterDns.Server.Tests.Plugins.Hosts;

/// <summary>CoreDNS 1.14's hosts additions: wildcard entries and <c>fallthrough_unsupported</c>, and when fallthrough applies.</summary>
public sealed class HostsWildcardTests : IDisposable
{
    // The README's example: a wildcard with explicit exceptions.
    private const string HostsFile = """
        192.168.1.10    *.example.com
        192.168.1.11    a.example.com
        192.168.1.12    b.example.com
        2001:db8::10    *.example.com
        192.0.2.2       v4only.example.com
        """;

    private readonly TempFolder _folder = new();

    public HostsWildcardTests() => _folder.Write("hosts", HostsFile);

    public void Dispose() => _folder.Dispose();

    private HostsHandler Build(string body, TerminalHandler? next = null)
    {
        var block = Setup(new HostsSetup(), $"example.com in-addr.arpa {{\n{body}\n}}\n", Path.Combine(_folder.Path, "Corefile"));
        var handler = Handler<HostsHandler>(block);
        handler.Next = next;
        return handler;
    }

    public static TheoryData<string, RecordType, ResponseCode, string[]> WildcardCases() => new()
    {
        { "a.example.com.", RecordType.A, ResponseCode.NoError, ["a.example.com. 3600 IN A 192.168.1.11"] },
        { "b.example.com.", RecordType.A, ResponseCode.NoError, ["b.example.com. 3600 IN A 192.168.1.12"] },
        { "apps.example.com.", RecordType.A, ResponseCode.NoError, ["apps.example.com. 3600 IN A 192.168.1.10"] },
        { "APPS.Example.com.", RecordType.AAAA, ResponseCode.NoError, ["apps.example.com. 3600 IN AAAA 2001:db8::10"] },
        // An explicit name is not covered by the wildcard, also not for the other family.
        { "a.example.com.", RecordType.AAAA, ResponseCode.NoError, [] },
        // The apex and names two labels down do not match.
        { "example.com.", RecordType.A, ResponseCode.NXDomain, [] },
        { "deep.apps.example.com.", RecordType.A, ResponseCode.NXDomain, [] },
        // Wildcards make no PTR records; explicit names still do.
        { "10.1.168.192.in-addr.arpa.", RecordType.PTR, ResponseCode.NXDomain, [] },
        { "11.1.168.192.in-addr.arpa.", RecordType.PTR, ResponseCode.NoError, ["11.1.168.192.in-addr.arpa. 3600 IN PTR a.example.com."] },
    };

    [Theory]
    [MemberData(nameof(WildcardCases))]
    public void Wildcard_entries_match_one_label(string name, RecordType type, ResponseCode rcode, string[] answer)
    {
        var response = Query(Build("hosts hosts"), name, type);

        Assert.Equal(rcode, response.Rcode);
        Assert.Equal(SortedLines(answer), Lines(response.Answers));
    }

    [Theory]
    // Only a name with no entry at all falls through (CoreDNS: "only on NXDOMAIN").
    [InlineData("hosts hosts {\n fallthrough\n}", "missing.other.example.com.", RecordType.A, 1)]
    [InlineData("hosts hosts {\n fallthrough\n}", "v4only.example.com.", RecordType.AAAA, 0)]
    [InlineData("hosts hosts {\n fallthrough\n}", "v4only.example.com.", RecordType.TXT, 0)]
    [InlineData("hosts hosts {\n fallthrough\n}", "apps.example.com.", RecordType.HTTPS, 0)]
    // fallthrough_unsupported passes other types of known names on, within the fallthrough zones.
    [InlineData("hosts hosts {\n fallthrough\n fallthrough_unsupported\n}", "v4only.example.com.", RecordType.TXT, 1)]
    [InlineData("hosts hosts {\n fallthrough\n fallthrough_unsupported\n}", "apps.example.com.", RecordType.HTTPS, 1)]
    [InlineData("hosts hosts {\n fallthrough\n fallthrough_unsupported\n}", "v4only.example.com.", RecordType.AAAA, 0)]
    [InlineData("hosts hosts {\n fallthrough\n fallthrough_unsupported\n}", "v4only.example.com.", RecordType.A, 0)]
    [InlineData("hosts hosts {\n fallthrough other.example.com\n fallthrough_unsupported\n}", "v4only.example.com.", RecordType.TXT, 0)]
    // Without fallthrough it changes nothing.
    [InlineData("hosts hosts {\n fallthrough_unsupported\n}", "v4only.example.com.", RecordType.TXT, 0)]
    public void Which_queries_fall_through(string body, string name, RecordType type, int nextCalls)
    {
        var next = new TerminalHandler();
        var response = Query(Build(body, next), name, type);

        Assert.Equal(nextCalls, next.Calls);
        if (nextCalls == 0)
        {
            Assert.True(response.Header.AuthoritativeAnswer);
        }
    }

    [Fact]
    public void Fallthrough_unsupported_takes_no_arguments()
    {
        var error = Assert.Throws<ClusterDns.Corefile.CorefileException>(() => Build("hosts hosts {\n fallthrough\n fallthrough_unsupported example.com\n}"));
        Assert.Contains("Corefile:4:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wildcard_answers_allocate_nothing()
    {
        var handler = Build("hosts hosts");
        var contexts = new[] { CreateContext("apps.example.com.", RecordType.A), CreateContext("deep.apps.example.com.", RecordType.A) };
        var requests = contexts.Select(c => c.Request.ToArray()).ToArray();
        void ServeAll()
        {
            for (int i = 0; i < contexts.Length; i++)
            {
                requests[i].CopyTo(contexts[i].Buffer, 0);
                contexts[i].Reset(requests[i].Length, Server.Pipeline.TransportKind.Udp);
                _ = handler.ServeAsync(contexts[i]);
            }
        }
        ServeAll();
        ServeAll();

        long before = GC.GetAllocatedBytesForCurrentThread();
        ServeAll();

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
