using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>Builds the names and RDATA of the Kubernetes DNS specification in lower-case wire form.</summary>
public static class ClusterNames
{
    /// <summary>Labels (left to right) followed by a zone; null when a label is empty, too long or the name too long.</summary>
    public static byte[]? Build(ReadOnlySpan<byte> zone, params ReadOnlySpan<string> labels)
    {
        int length = zone.Length;
        foreach (var label in labels)
        {
            if (label.Length == 0 || label.Length > WireName.MaxLabelLength)
            {
                return null;
            }
            length += 1 + label.Length;
        }
        if (length > WireName.MaxLength)
        {
            return null;
        }
        var name = new byte[length];
        int position = 0;
        foreach (var label in labels)
        {
            name[position++] = (byte)label.Length;
            foreach (char c in label)
            {
                if (c > 0x7F)
                {
                    return null;
                }
                name[position++] = WireName.ToLower((byte)c);
            }
        }
        zone.CopyTo(name.AsSpan(position));
        return name;
    }

    /// <summary><c>10-244-1-5</c>; IPv6 <c>fd00--1</c> with a <c>0</c> added where the name would start or end in <c>-</c> (CoreDNS).</summary>
    public static string DashedIp(IPAddress address)
    {
        string text = address.AddressFamily == AddressFamily.InterNetworkV6
            ? address.ToString().Replace(':', '-')
            : address.ToString().Replace('.', '-');
        if (text.StartsWith('-'))
        {
            text = "0" + text;
        }
        if (text.EndsWith('-'))
        {
            text += "0";
        }
        return text;
    }

    /// <summary>Parses a dashed IP label back to an address (pod names); false for anything else.</summary>
    public static bool TryParseDashedIp(ReadOnlySpan<byte> label, out IPAddress address)
    {
        address = IPAddress.None;
        if (label.Length == 0 || label.Length > 45)
        {
            return false;
        }
        Span<char> text = stackalloc char[label.Length];
        int dashes = 0;
        for (int i = 0; i < label.Length; i++)
        {
            byte b = label[i];
            if (b == '-')
            {
                dashes++;
            }
            else if (!char.IsAsciiHexDigit((char)b))
            {
                return false;
            }
            text[i] = (char)b;
        }
        if (dashes == 3 && !text.ContainsAny("abcdefABCDEF"))
        {
            text.Replace('-', '.');
            return IPAddress.TryParse(text, out address!) && address.AddressFamily == AddressFamily.InterNetwork;
        }
        text.Replace('-', ':');
        return IPAddress.TryParse(text, out address!) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    /// <summary>The reverse name of an address: <c>d.c.b.a.in-addr.arpa</c> or the 32 nibbles of ip6.arpa.</summary>
    public static byte[] ReverseName(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        var text = new StringBuilder(80);
        if (bytes.Length == 4)
        {
            for (int i = 3; i >= 0; i--)
            {
                text.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }
            text.Append("in-addr.arpa.");
        }
        else
        {
            for (int i = 15; i >= 0; i--)
            {
                text.Append(HexDigit(bytes[i] & 0xF)).Append('.').Append(HexDigit(bytes[i] >> 4)).Append('.');
            }
            text.Append("ip6.arpa.");
        }
        return DnsName.Parse(text.ToString()).Wire.ToArray();
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

    public static byte[] AddressRdata(IPAddress address) => address.GetAddressBytes();

    public static RecordType AddressType(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? RecordType.AAAA : RecordType.A;

    public static byte[] SrvRdata(ushort priority, ushort weight, ushort port, byte[] target)
    {
        var rdata = new byte[6 + target.Length];
        BinaryPrimitives.WriteUInt16BigEndian(rdata, priority);
        BinaryPrimitives.WriteUInt16BigEndian(rdata.AsSpan(2), weight);
        BinaryPrimitives.WriteUInt16BigEndian(rdata.AsSpan(4), port);
        target.CopyTo(rdata.AsSpan(6));
        return rdata;
    }

    public static byte[] TxtRdata(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var rdata = new byte[1 + bytes.Length];
        rdata[0] = (byte)bytes.Length;
        bytes.CopyTo(rdata.AsSpan(1));
        return rdata;
    }

    public static byte[] SoaRdata(byte[] mname, byte[] rname, uint serial, uint refresh, uint retry, uint expire, uint minimum)
    {
        var rdata = new byte[mname.Length + rname.Length + 20];
        mname.CopyTo(rdata, 0);
        rname.CopyTo(rdata, mname.Length);
        var numbers = rdata.AsSpan(mname.Length + rname.Length);
        BinaryPrimitives.WriteUInt32BigEndian(numbers, serial);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[4..], refresh);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[8..], retry);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[12..], expire);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[16..], minimum);
        return rdata;
    }
}
