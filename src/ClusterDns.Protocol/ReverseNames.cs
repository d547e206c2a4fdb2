using System.Globalization;
using System.Net;
using System.Text;

namespace ClusterDns.Protocol;

/// <summary>The PTR owner name of an address (RFC 1035 §3.5, RFC 3596 §2.5).</summary>
public static class ReverseNames
{
    /// <summary><c>d.c.b.a.in-addr.arpa.</c> for IPv4, the 32 nibbles under <c>ip6.arpa.</c> for IPv6.</summary>
    public static DnsName Of(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        var text = new StringBuilder(80);
        if (bytes.Length == 4)
        {
            for (int i = 3; i >= 0; i--)
            {
                text.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }
            return DnsName.Parse(text.Append("in-addr.arpa.").ToString());
        }
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            text.Append(HexDigit(bytes[i] & 0xF)).Append('.').Append(HexDigit(bytes[i] >> 4)).Append('.');
        }
        return DnsName.Parse(text.Append("ip6.arpa.").ToString());
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
}
