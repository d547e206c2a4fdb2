namespace ClusterDns.Protocol;

/// <summary>DNS RR TYPE / QTYPE values (RFC 1035 §3.2.2–3.2.3 and later assignments).</summary>
public enum RecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    HINFO = 13,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    NAPTR = 35,
    DNAME = 39,
    OPT = 41,
    DS = 43,
    RRSIG = 46,
    NSEC = 47,
    DNSKEY = 48,
    HTTPS = 65,
    SVCB = 64,
    IXFR = 251,
    AXFR = 252,
    ANY = 255,
    CAA = 257,
}

/// <summary>DNS CLASS values.</summary>
public enum RecordClass : ushort
{
    IN = 1,
    CH = 3,
    HS = 4,
    NONE = 254,
    ANY = 255,
}

/// <summary>Header OPCODE values.</summary>
public enum Opcode : byte
{
    Query = 0,
    IQuery = 1,
    Status = 2,
    Notify = 4,
    Update = 5,
}

/// <summary>RCODE values; values above 15 need EDNS(0) (RFC 6891 extended RCODE).</summary>
public enum ResponseCode : ushort
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NXDomain = 3,
    NotImp = 4,
    Refused = 5,
    YXDomain = 6,
    YXRRSet = 7,
    NXRRSet = 8,
    NotAuth = 9,
    NotZone = 10,
    BadVers = 16,
}
