namespace ClusterDns.Protocol;

/// <summary>What the server needs to know about an incoming query, read without allocating.</summary>
public struct ParsedQuery
{
    public DnsHeader Header;

    /// <summary>Question type and class.</summary>
    public RecordType Type;
    public RecordClass Class;

    /// <summary>Length of the question name in uncompressed wire form (written lower-cased to the caller's buffer).</summary>
    public int NameLength;

    /// <summary>Offset just past the question section: where an answer starts being written.</summary>
    public int QuestionEnd;

    public EdnsInfo Edns;
}

/// <summary>The verdict on an incoming packet (miekg/dns's MsgAcceptFunc, plus the full parse).</summary>
public enum QueryVerdict : byte
{
    /// <summary>A well-formed query: answer it.</summary>
    Accept,
    /// <summary>No reply at all: no readable header, or QR=1 (a reply to a response is an amplifier).</summary>
    Drop,
    /// <summary>Reply FORMERR: the header is readable, the rest is not a valid query.</summary>
    FormErr,
    /// <summary>Reply NOTIMP: an opcode other than QUERY and NOTIFY.</summary>
    NotImp,
    /// <summary>Reply BADVERS: an EDNS version above 0 (RFC 6891 §6.1.3).</summary>
    BadVers,
    /// <summary>A well-formed NOTIFY (RFC 1996): only a handler that takes NOTIFY (a secondary zone) sees it.</summary>
    Notify,
}
