namespace ClusterDns.Server.Tests.Plugins.K8sExternal;

/// <summary>
/// The <c>headless</c> option (CoreDNS 1.11+): a headless Service without external addresses answers its ready
/// endpoints under the outside zone, with per-endpoint names and SRV per endpoint and named port.
/// </summary>
public sealed class K8sExternalHeadlessTests
{
    private static readonly Lazy<K8sExternalFixture> Cluster = new(() => new K8sExternalFixture("k8s_external example.com {\nheadless\n}").LoadTestCluster());

    public static TheoryData<string, string, string, string[], string[]> Cases => new()
    {
        // Ready endpoints only (db-2 is not ready).
        { "db.testns.example.com.", "A", "NOERROR", ["db.testns.example.com. 5 in a 10.244.0.1", "db.testns.example.com. 5 in a 10.244.0.2"], [] },
        { "db.testns.example.com.", "AAAA", "NOERROR", [], [] },
        { "db-0.db.testns.example.com.", "A", "NOERROR", ["db-0.db.testns.example.com. 5 in a 10.244.0.1"], [] },
        { "db-2.db.testns.example.com.", "A", "NXDOMAIN", [], [] },
        { "_postgres._tcp.db.testns.example.com.", "SRV", "NOERROR",
            ["_postgres._tcp.db.testns.example.com. 5 in srv 0 50 5432 db-0.db.testns.example.com.", "_postgres._tcp.db.testns.example.com. 5 in srv 0 50 5432 db-1.db.testns.example.com."],
            ["db-0.db.testns.example.com. 5 in a 10.244.0.1", "db-1.db.testns.example.com. 5 in a 10.244.0.2"] },
        { "db.testns.example.com.", "SRV", "NOERROR",
            ["db.testns.example.com. 5 in srv 0 50 5432 db-0.db.testns.example.com.", "db.testns.example.com. 5 in srv 0 50 5432 db-1.db.testns.example.com."],
            ["db-0.db.testns.example.com. 5 in a 10.244.0.1", "db-1.db.testns.example.com. 5 in a 10.244.0.2"] },
        { "db-1.db.testns.example.com.", "SRV", "NOERROR", ["db-1.db.testns.example.com. 5 in srv 0 100 5432 db-1.db.testns.example.com."], ["db-1.db.testns.example.com. 5 in a 10.244.0.2"] },
        { "_http._tcp.db.testns.example.com.", "SRV", "NXDOMAIN", [], [] },
        // External addresses win over endpoints, as in CoreDNS.
        { "hlext.testns.example.com.", "A", "NOERROR", ["hlext.testns.example.com. 5 in a 7.7.7.7"], [] },
        // The option does not reach ClusterIP Services' endpoints: their names stay outside.
        { "plain.testns.example.com.", "A", "NXDOMAIN", [], [] },
        { "svc1.testns.example.com.", "A", "NOERROR", ["svc1.testns.example.com. 5 in a 1.2.3.4"], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Headless_services_answer_their_ready_endpoints(string name, string type, string rcode, string[] answer, string[] additional)
    {
        await K8sExternalRecordTests.AssertAnswer(Cluster.Value, name, type, rcode, answer, additional);
    }
}
