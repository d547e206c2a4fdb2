using ClusterDns.Server.Tests.Support;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Server.Tests.Plugins.Template;

/// <summary>The template plugin through a real listener and dig: a templated A, a blocked AAAA, and a fabricated CNAME whose target is resolved through the server's own pipeline.</summary>
public sealed class TemplateDigTests
{
    [Fact]
    public async Task Dig_sees_templated_answers_and_the_cname_target()
    {
        await using var server = await CorefileServer.StartAsync("""
            .:{PORT} {
                bind 127.0.0.1
                template IN A example {
                  match (^|[.])ip-(?P<a>[0-9]*)-(?P<b>[0-9]*)-(?P<c>[0-9]*)-(?P<d>[0-9]*)[.]example[.]$
                  answer "{{ .Name }} 60 IN A {{ .Group.a }}.{{ .Group.b }}.{{ .Group.c }}.{{ .Group.d }}"
                  fallthrough
                }
                template IN AAAA . {
                  rcode NOERROR
                }
                template IN ANY foogle.example {
                  match "^foogle\.example\.$"
                  answer "foogle.example 60 IN CNAME database.example.org"
                }
            }
            example.org:{PORT} {
                bind 127.0.0.1
                file example.org.zone
            }
            """,
            new Dictionary<string, string>
            {
                ["example.org.zone"] = """
                    $ORIGIN example.org.
                    $TTL 300
                    @ IN SOA ns1 hostmaster 1 7200 1800 86400 60
                      IN NS ns1
                    ns1 IN A 192.0.2.53
                    database IN A 192.0.2.30
                    """,
            });

        Assert.Equal(["10.1.2.3"], await DigClient.ShortAsync(server.Port, "ip-10-1-2-3.example A"));
        var aaaa = await DigClient.RunAsync(server.Port, "www.example.com AAAA");
        Assert.Contains("status: NOERROR", aaaa);
        Assert.Contains("ANSWER: 0", aaaa);
        Assert.Equal(["192.0.2.30", "database.example.org."], await DigClient.ShortAsync(server.Port, "foogle.example A"));
    }
}
