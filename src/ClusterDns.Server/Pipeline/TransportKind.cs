namespace ClusterDns.Server.Pipeline;

/// <summary>How a query reached us; decides the response size limit and truncation.</summary>
public enum TransportKind : byte
{
    Udp,
    Tcp,
}
