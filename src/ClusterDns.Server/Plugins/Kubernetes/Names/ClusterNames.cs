using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes.Names;

/// <summary>Builds the names and RDATA of the Kubernetes DNS specification in lower-case wire form.</summary>
public static class ClusterNames
{
    /// <summary>True for in-addr.arpa, ip6.arpa and the zones below them.</summary>
    public static bool IsReverseZone(DnsName zone) =>
        zone.IsSubdomainOf(DnsName.Parse("in-addr.arpa.")) || zone.IsSubdomainOf(DnsName.Parse("ip6.arpa."));

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

    /// <summary>
    /// Parses a dashed IP label (pod names) into <paramref name="address"/> (16 bytes of room): 4 bytes for
    /// <c>10-244-1-5</c>, 16 for IPv6 with <c>-</c> for <c>:</c>. IPv4, the common case, allocates nothing.
    /// </summary>
    public static bool TryParseDashedIp(ReadOnlySpan<byte> label, Span<byte> address, out int length)
    {
        length = 0;
        if (label.Length == 0 || label.Length > 45)
        {
            return false;
        }
        if (TryParseDashedIPv4(label, address))
        {
            length = 4;
            return true;
        }
        Span<char> text = stackalloc char[label.Length];
        for (int i = 0; i < label.Length; i++)
        {
            byte b = label[i];
            if (b != '-' && !char.IsAsciiHexDigit((char)b))
            {
                return false;
            }
            text[i] = b == '-' ? ':' : (char)b;
        }
        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }
        parsed.TryWriteBytes(address, out length);
        return true;
    }

    private static bool TryParseDashedIPv4(ReadOnlySpan<byte> label, Span<byte> address)
    {
        int part = 0, value = 0, digits = 0;
        foreach (byte b in label)
        {
            if (b == '-')
            {
                if (digits == 0 || part == 3)
                {
                    return false;
                }
                address[part++] = (byte)value;
                value = 0;
                digits = 0;
                continue;
            }
            if (b < '0' || b > '9' || digits == 3)
            {
                return false;
            }
            value = value * 10 + (b - '0');
            digits++;
            if (value > 255)
            {
                return false;
            }
        }
        if (part != 3 || digits == 0)
        {
            return false;
        }
        address[3] = (byte)value;
        return true;
    }

    public static byte[] AddressRdata(IPAddress address) => address.GetAddressBytes();

    public static RecordType AddressType(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? RecordType.AAAA : RecordType.A;

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
