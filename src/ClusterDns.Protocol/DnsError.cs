namespace ClusterDns.Protocol;

/// <summary>Why a message could not be read. Errors are values: the codec never throws on bad input.</summary>
public enum DnsError : byte
{
    None = 0,
    /// <summary>The message ends before a field it promises.</summary>
    Truncated,
    /// <summary>A label longer than 63 bytes, or an extended/reserved label type.</summary>
    BadLabel,
    /// <summary>A name longer than 255 bytes in wire form.</summary>
    NameTooLong,
    /// <summary>A compression pointer that does not point strictly backwards to an earlier name.</summary>
    BadPointer,
    /// <summary>RDATA whose length or content does not fit its type.</summary>
    BadRdata,
    /// <summary>More than one OPT record, or an OPT record outside the additional section or with a non-root owner.</summary>
    BadOpt,
    /// <summary>Bytes left over, or a count that the message does not hold.</summary>
    BadCount,
}
