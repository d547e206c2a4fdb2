namespace ClusterDns.Server.Zones;

/// <summary>
/// The seam between the <c>transfer</c> plugin and the plugins whose zones it sends (file, kubernetes), as
/// CoreDNS's <c>transfer.Transferer</c>: a handler that can list a whole zone implements it, and the transfer
/// plugin finds it among the handlers after it in its server block, without knowing its folder.
/// </summary>
public interface ITransferSource
{
    /// <summary>
    /// A cursor over every record of the zone whose apex is exactly <paramref name="lowerZone"/> (lower-case wire
    /// form), reading one immutable snapshot from start to end; null when this handler is not authoritative for
    /// that zone (CoreDNS's <c>ErrNotAuthoritative</c>: the next source is asked).
    /// </summary>
    TransferCursor? OpenTransfer(ReadOnlySpan<byte> lowerZone);

    /// <summary>The zone's current SOA serial, for NOTIFY; false when this handler does not serve that zone.</summary>
    bool TryGetSerial(ReadOnlySpan<byte> lowerZone, out uint serial);

    /// <summary>
    /// The zone's journal when the source keeps its own, from what each of its changes did (the cluster zone); the
    /// first call starts it. A plain AXFR is then streamed from <see cref="OpenTransfer"/> and an IXFR served from
    /// the journal, with no copy of the zone. Null (the default): the transfer plugin captures versions itself.
    /// </summary>
    TransferJournal? OpenJournal(ReadOnlySpan<byte> lowerZone) => null;

    /// <summary>
    /// Called with <paramref name="changed"/> each time a zone of this source may have a new serial, so NOTIFY goes
    /// out at once rather than at the next periodic check. The default never calls it (the check alone).
    /// </summary>
    void WatchChanges(Action changed)
    {
    }
}
