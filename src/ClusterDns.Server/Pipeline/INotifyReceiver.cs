using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// A handler that takes NOTIFY messages (RFC 1996) for its zones: a secondary zone, which then asks its primary for
/// the change. The processor gives a NOTIFY only to the first such handler of the block's chain; no other handler
/// (cache, forward) ever sees one, and a block without one answers NOTIMP.
/// </summary>
public interface INotifyReceiver
{
    /// <summary>The RCODE of the reply: NOERROR when the zone is ours and a check is scheduled, else NOTAUTH or REFUSED.</summary>
    ResponseCode ReceiveNotify(DnsQueryContext context);
}
