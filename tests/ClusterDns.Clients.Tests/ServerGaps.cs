namespace ClusterDns.Clients.Tests;

/// <summary>
/// What the real clients showed ClusterDns still lacks, as skip reasons: the tests are written against the
/// behaviour the clients need (CoreDNS's) and are enabled when the server provides it.
/// </summary>
internal static class ServerGaps
{
    public const string ExternalNameTargetNotResolved =
        "ClusterDns answers an ExternalName Service with the bare CNAME when the target is outside the cluster zone; "
        + "glibc, musl and busybox do not chase a CNAME, so they get no address. CoreDNS resolves the target through its "
        + "upstream and answers CNAME + A. See docs/troubleshooting.md.";

    public const string TruncationDropsWholeRRset =
        "ClusterDns truncates a UDP answer by rolling back the whole RRset, so a 200-endpoint headless Service is "
        + "TC with an empty answer; musl before 1.2.4 never retries over TCP and reports the name as missing. CoreDNS "
        + "keeps the records that fit (TC set), which musl uses. See docs/troubleshooting.md.";
}
