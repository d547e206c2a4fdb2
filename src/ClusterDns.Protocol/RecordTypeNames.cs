namespace ClusterDns.Protocol;

/// <summary>Mnemonics of types and classes in presentation form (RFC 3597 TYPEnnn / CLASSnnn for the rest).</summary>
public static class RecordTypeNames
{
    public static string ToText(RecordType type) => type switch
    {
        RecordType.A => "A", RecordType.NS => "NS", RecordType.CNAME => "CNAME", RecordType.SOA => "SOA",
        RecordType.PTR => "PTR", RecordType.HINFO => "HINFO", RecordType.MX => "MX", RecordType.TXT => "TXT",
        RecordType.AAAA => "AAAA", RecordType.SRV => "SRV", RecordType.NAPTR => "NAPTR", RecordType.DNAME => "DNAME",
        RecordType.OPT => "OPT", RecordType.DS => "DS", RecordType.RRSIG => "RRSIG", RecordType.NSEC => "NSEC",
        RecordType.DNSKEY => "DNSKEY", RecordType.SVCB => "SVCB", RecordType.HTTPS => "HTTPS",
        RecordType.IXFR => "IXFR", RecordType.AXFR => "AXFR", RecordType.ANY => "ANY", RecordType.CAA => "CAA",
        _ => "TYPE" + ((ushort)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static bool TryParse(ReadOnlySpan<char> text, out RecordType type)
    {
        foreach (var known in Known)
        {
            if (text.Equals(ToText(known), StringComparison.OrdinalIgnoreCase))
            {
                type = known;
                return true;
            }
        }
        if (text.Length > 4 && text[..4].Equals("TYPE", StringComparison.OrdinalIgnoreCase)
            && ushort.TryParse(text[4..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            type = (RecordType)value;
            return true;
        }
        type = default;
        return false;
    }

    public static string ToText(RecordClass recordClass) => recordClass switch
    {
        RecordClass.IN => "IN", RecordClass.CH => "CH", RecordClass.HS => "HS", RecordClass.NONE => "NONE", RecordClass.ANY => "ANY",
        _ => "CLASS" + ((ushort)recordClass).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static bool TryParse(ReadOnlySpan<char> text, out RecordClass recordClass)
    {
        foreach (var known in KnownClasses)
        {
            if (text.Equals(ToText(known), StringComparison.OrdinalIgnoreCase))
            {
                recordClass = known;
                return true;
            }
        }
        if (text.Length > 5 && text[..5].Equals("CLASS", StringComparison.OrdinalIgnoreCase)
            && ushort.TryParse(text[5..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            recordClass = (RecordClass)value;
            return true;
        }
        recordClass = default;
        return false;
    }

    public static string ToText(ResponseCode rcode) => rcode switch
    {
        ResponseCode.NoError => "NOERROR", ResponseCode.FormErr => "FORMERR", ResponseCode.ServFail => "SERVFAIL",
        ResponseCode.NXDomain => "NXDOMAIN", ResponseCode.NotImp => "NOTIMP", ResponseCode.Refused => "REFUSED",
        ResponseCode.YXDomain => "YXDOMAIN", ResponseCode.YXRRSet => "YXRRSET", ResponseCode.NXRRSet => "NXRRSET",
        ResponseCode.NotAuth => "NOTAUTH", ResponseCode.NotZone => "NOTZONE", ResponseCode.BadVers => "BADVERS",
        _ => "RCODE" + ((ushort)rcode).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The inverse of <see cref="ToText(ResponseCode)"/> for the named RCODEs, case-insensitive (Corefile arguments).</summary>
    public static bool TryParseRcode(string text, out ResponseCode rcode)
    {
        foreach (var named in NamedRcodes)
        {
            if (string.Equals(ToText(named), text, StringComparison.OrdinalIgnoreCase))
            {
                rcode = named;
                return true;
            }
        }
        rcode = default;
        return false;
    }

    private static readonly ResponseCode[] NamedRcodes =
    [
        ResponseCode.NoError, ResponseCode.FormErr, ResponseCode.ServFail, ResponseCode.NXDomain, ResponseCode.NotImp,
        ResponseCode.Refused, ResponseCode.YXDomain, ResponseCode.YXRRSet, ResponseCode.NXRRSet, ResponseCode.NotAuth,
        ResponseCode.NotZone, ResponseCode.BadVers,
    ];

    private static readonly RecordType[] Known = Enum.GetValues<RecordType>();
    private static readonly RecordClass[] KnownClasses = Enum.GetValues<RecordClass>();
}
