namespace ClusterDns.Server.Pipeline;

/// <summary>
/// Sees what the encrypted listeners decide before a query exists (metrics): a TLS handshake that failed or timed
/// out, and the HTTP status of every DNS-over-HTTPS request. Implemented beside <see cref="IQueryObserver"/>.
/// </summary>
public interface ITransportObserver
{
    /// <summary>A TLS handshake on <paramref name="port"/> failed, timed out or was refused (bad client certificate).</summary>
    void OnTlsHandshakeFailed(int port);

    /// <summary>A DNS-over-HTTPS request on <paramref name="port"/> was answered with <paramref name="status"/>.</summary>
    void OnHttpsResponse(int port, int status);
}
