using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Tests.Plugins.Autopath;

/// <summary>
/// The chain after autopath, as CoreDNS's autopath_test.go nextHandler: a name → RCODE table; NOERROR answers
/// "NAME 3600 IN A 127.0.0.53", NXDOMAIN carries an SOA, NODATA an SOA too, and an unknown name is SERVFAIL
/// with nothing written. Remembers every name it was asked, in order.
/// </summary>
internal sealed class AutopathTestBackend : DnsHandler
{
    private const uint Ttl = 3600;
    private static readonly byte[] Localhost = [127, 0, 0, 53];

    private readonly Dictionary<string, ResponseCode> _names;
    private readonly HashSet<string> _noData;

    public AutopathTestBackend(Dictionary<string, ResponseCode> names, params string[] noData)
    {
        _names = names;
        _noData = noData.ToHashSet();
    }

    public List<string> Asked { get; } = new();

    /// <summary>Set by a name's answer (the cluster zone does so); autopath must keep only the answering name's.</summary>
    public HashSet<string> NotCached { get; } = new();

    public override string Name => "file";

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        var name = DnsName.Format(context.LowerName);
        Asked.Add(name);
        context.DoNotCache = NotCached.Contains(name);
        if (!_names.TryGetValue(name, out var rcode))
        {
            return new(HandlerResult.NotWritten(ResponseCode.ServFail));
        }
        var writer = context.BeginResponse();
        if (rcode == ResponseCode.NoError && !_noData.Contains(name))
        {
            writer.TryWriteRecordAt(DnsHeader.Size, RecordType.A, 1, Ttl, Localhost, MessageSection.Answer);
        }
        else
        {
            var soa = new DnsRecord(DnsName.Parse("example.org."), 1800,
                new SoaData(DnsName.Parse("example.org."), DnsName.Parse("example.org."), 1502165581, 14400, 3600, 604800, 14400));
            RecordListWriter.TryWriteAll(ref writer, [soa], MessageSection.Authority);
        }
        context.CompleteResponse(ref writer, rcode, authoritative: true, truncated: false);
        return new(HandlerResult.Written(rcode));
    }
}
