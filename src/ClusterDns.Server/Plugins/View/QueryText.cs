using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.View;

/// <summary>The query's fields as text, formatted into the evaluation's scratch buffer (no allocation).</summary>
internal static class QueryText
{
    /// <summary>The question name in presentation form, lower-cased, with the final dot (CoreDNS's <c>state.Name()</c>).</summary>
    public static ReadOnlyMemory<char> Name(ExprScope scope)
    {
        var wire = scope.Context.LowerName;
        var rented = scope.Rent(Math.Max(1, wire.Length * 4));
        var text = rented.Span;
        int n = 0;
        int i = 0;
        while (i < wire.Length && wire[i] != 0)
        {
            int end = i + 1 + wire[i];
            for (i++; i < end && i < wire.Length; i++)
            {
                n += Escape(wire[i], text[n..]);
            }
            text[n++] = '.';
        }
        if (n == 0)
        {
            text[n++] = '.';
        }
        return scope.Commit(rented, n);
    }

    private static int Escape(byte b, Span<char> destination)
    {
        switch (b)
        {
            case (byte)'.' or (byte)'\\' or (byte)'"' or (byte)'(' or (byte)')' or (byte)';' or (byte)'@' or (byte)'$':
                destination[0] = '\\';
                destination[1] = (char)b;
                return 2;
            case < 0x21 or > 0x7E:
                destination[0] = '\\';
                destination[1] = (char)('0' + b / 100);
                destination[2] = (char)('0' + b / 10 % 10);
                destination[3] = (char)('0' + b % 10);
                return 4;
            default:
                destination[0] = (char)b;
                return 1;
        }
    }

    /// <summary>
    /// Copies the client's address bytes out of the raw socket address (IPv4-mapped IPv6 as IPv4, as Go reports it).
    /// Returns 4 or 16, or 0 for another family.
    /// </summary>
    public static int ClientAddress(DnsQueryContext context, Span<byte> destination)
    {
        var socketAddress = context.RemoteAddress;
        var raw = socketAddress.Buffer.Span[..socketAddress.Size];
        switch (socketAddress.Family)
        {
            case AddressFamily.InterNetwork when raw.Length >= 8:
                raw.Slice(4, 4).CopyTo(destination);
                return 4;
            case AddressFamily.InterNetworkV6 when raw.Length >= 24:
                var v6 = raw.Slice(8, 16);
                if (v6[..10].IndexOfAnyExcept((byte)0) < 0 && v6[10] == 0xFF && v6[11] == 0xFF)
                {
                    v6.Slice(12, 4).CopyTo(destination);
                    return 4;
                }
                v6.CopyTo(destination);
                return 16;
            default:
                return 0;
        }
    }

    /// <summary>The listener's address bytes (4 or 16; 0 when unknown).</summary>
    public static int ServerAddress(DnsQueryContext context, Span<byte> destination)
    {
        if (context.LocalAddress is not { } address)
        {
            return 0;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return address.TryWriteBytes(destination, out int written) ? written : 0;
    }

    public static int ClientPort(DnsQueryContext context)
    {
        var raw = context.RemoteAddress.Buffer.Span;
        return context.RemoteAddress.Size >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(raw[2..]) : 0;
    }

    /// <summary>Address bytes as text: dotted quad for IPv4, RFC 5952 for IPv6 (no brackets).</summary>
    public static ReadOnlyMemory<char> Address(ExprScope scope, ReadOnlySpan<byte> address)
    {
        var rented = scope.Rent(46);
        int n = 0;
        if (address.Length == 4)
        {
            for (int i = 0; i < 4; i++)
            {
                if (i > 0)
                {
                    rented.Span[n++] = '.';
                }
                address[i].TryFormat(rented.Span[n..], out int w, default, System.Globalization.CultureInfo.InvariantCulture);
                n += w;
            }
        }
        else if (address.Length == 16)
        {
            // IPv6 formatting needs an IPAddress (one small allocation; IPv6 clients only).
            new IPAddress(address).TryFormat(rented.Span, out n);
        }
        return scope.Commit(rented, n);
    }

    public static ReadOnlyMemory<char> Number(ExprScope scope, int value)
    {
        var rented = scope.Rent(11);
        value.TryFormat(rented.Span, out int n, default, System.Globalization.CultureInfo.InvariantCulture);
        return scope.Commit(rented, n);
    }
}
