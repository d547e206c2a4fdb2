namespace ClusterDns.Protocol;

/// <summary>What a message's OPT pseudo-record (RFC 6891 §6.1) says, read without allocating.</summary>
public readonly struct EdnsInfo
{
    public EdnsInfo(ushort udpPayloadSize, byte extendedRcode, byte version, bool dnssecOk, int optionsOffset, int optionsLength)
    {
        IsPresent = true;
        UdpPayloadSize = udpPayloadSize;
        ExtendedRcode = extendedRcode;
        Version = version;
        DnssecOk = dnssecOk;
        OptionsOffset = optionsOffset;
        OptionsLength = optionsLength;
    }

    public bool IsPresent { get; }

    /// <summary>The requestor's UDP payload size; values below 512 are treated as 512 (RFC 6891 §6.2.5).</summary>
    public ushort UdpPayloadSize { get; }

    /// <summary>The upper eight bits of the 12-bit RCODE.</summary>
    public byte ExtendedRcode { get; }

    public byte Version { get; }

    /// <summary>The DO bit (RFC 3225).</summary>
    public bool DnssecOk { get; }

    /// <summary>Where the OPT RDATA (its options) starts in the message.</summary>
    public int OptionsOffset { get; }

    public int OptionsLength { get; }

    /// <summary>The size this requestor can take over UDP, never below 512.</summary>
    public int EffectiveUdpSize => IsPresent ? Math.Max((int)UdpPayloadSize, 512) : 512;
}
