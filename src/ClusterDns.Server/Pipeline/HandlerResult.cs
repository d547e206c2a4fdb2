using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// What a handler did: wrote a whole response, or wrote nothing and asks the server to write a bare
/// response with this RCODE (CoreDNS's ClientWrite rule).
/// </summary>
public readonly struct HandlerResult
{
    private HandlerResult(bool written, ResponseCode rcode)
    {
        IsWritten = written;
        Rcode = rcode;
    }

    public bool IsWritten { get; }

    /// <summary>The RCODE of the response: written by the handler, or for the server to write.</summary>
    public ResponseCode Rcode { get; }

    public static HandlerResult Written(ResponseCode rcode) => new(true, rcode);

    public static HandlerResult NotWritten(ResponseCode rcode) => new(false, rcode);
}
