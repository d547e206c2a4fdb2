using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.K8sExternal;

internal sealed partial class K8sExternalHandler
{
    /// <summary>
    /// After the CNAME to a load balancer's hostname, that name's records through this server's own pipeline
    /// (CoreDNS's upstream lookup), because glibc and musl do not chase a CNAME left without its addresses.
    /// </summary>
    private async ValueTask<HandlerResult> ChaseAsync(DnsQueryContext context, WriterMark mark, DnsName target, RecordType type)
    {
        var response = await _resolver!.ResolveAsync(target, type).ConfigureAwait(false);
        var writer = context.BeginResponse();
        writer.Rollback(mark);
        var rcode = ResponseCode.NoError;
        bool truncated = false;
        if (response is not null)
        {
            // The last name of the chain decides (RFC 6604): its NXDOMAIN or SERVFAIL is ours too.
            rcode = response.Rcode is ResponseCode.NXDomain or ResponseCode.ServFail ? response.Rcode : ResponseCode.NoError;
            foreach (var record in response.Answers)
            {
                var before = writer.Mark();
                if (!writer.TryBeginRecord(record.Name.Wire, record.Type, (ushort)record.Class, record.Ttl, out var inProgress)
                    || !record.Data.TryWrite(ref writer))
                {
                    writer.Rollback(before);
                    truncated = true;
                    break;
                }
                writer.EndRecord(inProgress, MessageSection.Answer);
            }
        }
        context.CompleteResponse(ref writer, rcode, authoritative: true, truncated);
        context.WrittenBy = Name;
        return HandlerResult.Written(rcode);
    }
}
