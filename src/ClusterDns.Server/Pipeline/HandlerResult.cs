using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// What a handler did: wrote a whole response, or wrote nothing and asks the server to write a bare
/// response with this RCODE (CoreDNS's ClientWrite rule).
/// </summary>
public readonly struct HandlerResult
{
    private HandlerResult(bool written, ResponseCode rcode, bool dropped = false)
    {
        IsWritten = written;
        Rcode = rcode;
        IsDropped = dropped;
    }

    public bool IsWritten { get; }

    /// <summary>No response at all may be sent (acl's <c>drop</c>); handlers before it must not write one either.</summary>
    public bool IsDropped { get; }

    /// <summary>The RCODE of the response: written by the handler, or for the server to write.</summary>
    public ResponseCode Rcode { get; }

    public static HandlerResult Written(ResponseCode rcode) => new(true, rcode);

    public static HandlerResult NotWritten(ResponseCode rcode) => new(false, rcode);

    /// <summary>
    /// Send nothing to the client. Counts as "written" so that handlers which fill in bare responses leave it alone;
    /// the server clears any response and the listener sends nothing.
    /// </summary>
    public static HandlerResult Drop() => new(true, ResponseCode.NoError, dropped: true);
}
