using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>What one step of a <see cref="TransferCursor"/> came to.</summary>
public enum TransferStep
{
    /// <summary>The next group of records is written; call again.</summary>
    Written,
    /// <summary>The next group does not fit in what is left of this message: nothing is written; send it and call again.</summary>
    Full,
    /// <summary>Every record has been written (the closing SOA is the caller's).</summary>
    End,
}

/// <summary>
/// One zone transfer's walk over one immutable snapshot of a zone (RFC 5936): the SOA, then every other record
/// group by group (an owner's RRset, or a few records of one name), written straight into the message being
/// filled. The snapshot is held only by the cursor, so a newer zone can be published meanwhile and the old one is
/// released when the transfer ends or is cut.
/// </summary>
public abstract class TransferCursor
{
    /// <summary>The serial of the snapshot being sent.</summary>
    public abstract uint Serial { get; }

    /// <summary>False while the zone is not known yet (the cluster zone before its first list): the transfer is SERVFAIL.</summary>
    public virtual bool Ready => true;

    /// <summary>Writes the zone's SOA record into the answer section; false when it does not fit.</summary>
    public abstract bool TryWriteSoa(ref MessageWriter writer);

    /// <summary>Writes the next group of records (never the SOA) into the answer section.</summary>
    public abstract TransferStep WriteNext(ref MessageWriter writer);
}
