using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// After a CNAME that leaves the handler's zone (an ExternalName Service, a load balancer's hostname), the
/// target's records through this server's own pipeline (CoreDNS's upstream lookup), appended behind what the
/// handler wrote up to <c>mark</c>: glibc and musl do not chase a CNAME left without its addresses. A rare path
/// that allocates (the resolver's parsed reply).
/// </summary>
public static class CnameTargetChase
{
    public static async ValueTask<HandlerResult> WriteAsync(DnsQueryContext context, WriterMark mark, InternalResolver resolver,
        DnsName target, RecordType type, string writtenBy)
    {
        var response = await resolver.ResolveAsync(target, type).ConfigureAwait(false);
        var writer = context.BeginResponse();
        writer.Rollback(mark);
        var rcode = ResponseCode.NoError;
        bool truncated = false;
        if (response is not null)
        {
            // The chain's last name decides (RFC 6604): NXDOMAIN or SERVFAIL of the target is ours too.
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
        context.WrittenBy = writtenBy;
        return HandlerResult.Written(rcode);
    }
}
