using System.Globalization;
using ClusterDns.Server.Telemetry;
using Prometheus;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary>
/// The series of one encrypted port: failed TLS handshakes, and DoH responses by HTTP status (slots for the
/// statuses a DoH port gives, resolved on first use; others resolved each time).
/// </summary>
internal sealed class TransportMetrics
{
    private readonly DnsMetricsObserver.Families _families;
    private readonly string _server;
    private readonly Counter.Child?[] _statuses = new Counter.Child?[600];

    public TransportMetrics(DnsMetricsObserver.Families families, string server)
    {
        _families = families;
        _server = server;
        HandshakeFailures = families.TlsHandshakeFailures.WithLabels(server);
    }

    public Counter.Child HandshakeFailures { get; }

    public Counter.Child Response(int status)
    {
        if (status is < 100 or >= 600)
        {
            return _families.HttpsResponses.WithLabels(_server, status.ToString(CultureInfo.InvariantCulture));
        }
        return Volatile.Read(ref _statuses[status]) ?? Create(status);
    }

    private Counter.Child Create(int status)
    {
        var counter = _families.HttpsResponses.WithLabels(_server, status.ToString(CultureInfo.InvariantCulture));
        Volatile.Write(ref _statuses[status], counter);
        return counter;
    }
}
