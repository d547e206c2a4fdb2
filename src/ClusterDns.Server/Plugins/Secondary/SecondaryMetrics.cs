using ClusterDns.Server.Telemetry;

namespace ClusterDns.Server.Plugins.Secondary;

/// <summary>
/// Our metrics for secondary zones (CoreDNS has none): whether a zone is expired, when a primary last confirmed it,
/// its serial, and transfers by kind. Read from the zone on scrape; the answer path counts nothing.
/// </summary>
internal sealed class SecondaryMetrics
{
    private readonly CallbackSeries _expired;
    private readonly CallbackSeries _lastTransfer;
    private readonly CallbackSeries _serial;
    private readonly CallbackSeries _transfers;
    private readonly CallbackSeries _failures;
    private readonly CallbackSeries _notifies;
    private readonly CallbackSeries _bytes;

    public SecondaryMetrics(MetricsRegistry registry)
    {
        _expired = registry.GaugeCallback("coredns_secondary_zone_expired", "1 when a secondary zone is past its SOA expire without a primary (answers are SERVFAIL), else 0.", "zone");
        _lastTransfer = registry.GaugeCallback("coredns_secondary_last_transfer_timestamp_seconds", "Unix time a primary last confirmed a secondary zone (a transfer or an up-to-date check); 0 before the first.", "zone");
        _serial = registry.GaugeCallback("coredns_secondary_zone_serial", "SOA serial of the secondary zone being served.", "zone");
        _transfers = registry.CounterCallback("coredns_secondary_transfers_total", "Successful checks of a secondary zone by outcome: axfr (whole zone), ixfr (differences), current (already up to date).", "zone", "type");
        _failures = registry.CounterCallback("coredns_secondary_transfer_failures_total", "Checks of a secondary zone where no primary gave a usable answer.", "zone");
        _bytes = registry.CounterCallback("coredns_secondary_transfer_bytes_total", "Bytes of AXFR and IXFR answers received for a secondary zone (framing included).", "zone");
        _notifies = registry.CounterCallback("coredns_secondary_notifies_received_total", "NOTIFY messages received for a secondary zone.", "zone");
    }

    public void Register(SecondaryZone zone)
    {
        string name = zone.Origin.ToString();
        _expired.Set(() => zone.IsExpired ? 1 : 0, name);
        _lastTransfer.Set(() => zone.LastTransferUnixSeconds, name);
        _serial.Set(() => zone.Current?.Zone.Serial ?? 0, name);
        _transfers.Set(() => Interlocked.Read(ref zone.FullTransfers), name, "axfr");
        _transfers.Set(() => Interlocked.Read(ref zone.IncrementalTransfers), name, "ixfr");
        _transfers.Set(() => Interlocked.Read(ref zone.UpToDateChecks), name, "current");
        _failures.Set(() => Interlocked.Read(ref zone.Failures), name);
        _notifies.Set(() => Interlocked.Read(ref zone.NotifiesReceived), name);
        _bytes.Set(() => Interlocked.Read(ref zone.BytesReceived), name);
    }
}
