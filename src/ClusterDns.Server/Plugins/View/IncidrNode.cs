using System.Globalization;
using System.Net;

namespace ClusterDns.Server.Plugins.View;

/// <summary>
/// <c>incidr(ip, cidr)</c>: whether the address lies in the range. A constant range is parsed once, and
/// <c>client_ip()</c>/<c>server_ip()</c> as the address are read as bytes, so the common
/// <c>incidr(client_ip(), '10.0.0.0/8')</c> allocates nothing. An address or range that does not parse is a
/// run-time error (the view does not match), as in CoreDNS; a constant range that does not parse is a start-up error.
/// </summary>
internal sealed class IncidrNode : ExprNode
{
    private readonly ExprNode _address;
    private readonly ExprNode _range;
    private readonly byte[]? _constantNetwork;
    private readonly int _constantPrefix;

    private IncidrNode(ExprNode address, ExprNode range, byte[]? network, int prefix)
    {
        _address = address;
        _range = range;
        _constantNetwork = network;
        _constantPrefix = prefix;
    }

    public override ExprType Type => ExprType.Bool;

    public static bool TryCreate(ExprNode address, ExprNode range, out ExprNode? node, out string? error)
    {
        node = null;
        byte[]? network = null;
        int prefix = 0;
        if (range.Constant is { Kind: ExprValueKind.String } text && !TryParseRange(text.Text.Span, out network, out prefix))
        {
            error = $"incidr: '{text.Text}' is not a CIDR range";
            return false;
        }
        node = new IncidrNode(address, range, network, prefix);
        error = null;
        return true;
    }

    public override ExprValue Evaluate(ExprScope scope)
    {
        Span<byte> address = stackalloc byte[16];
        int length;
        if (_address is QueryFieldNode { Name: "client_ip" })
        {
            length = QueryText.ClientAddress(scope.Context, address);
        }
        else if (_address is QueryFieldNode { Name: "server_ip" })
        {
            length = QueryText.ServerAddress(scope.Context, address);
        }
        else
        {
            var text = _address.Evaluate(scope);
            if (text.Kind != ExprValueKind.String || !TryParseAddress(text.Text.Span, address, out length))
            {
                return ExprValue.Error;
            }
        }
        if (length == 0)
        {
            return ExprValue.Error;
        }
        if (_constantNetwork is { } network)
        {
            return ExprValue.Of(Contains(network, _constantPrefix, address[..length]));
        }
        var range = _range.Evaluate(scope);
        if (range.Kind != ExprValueKind.String || !TryParseRange(range.Text.Span, out var dynamicNetwork, out int dynamicPrefix))
        {
            return ExprValue.Error;
        }
        return ExprValue.Of(Contains(dynamicNetwork!, dynamicPrefix, address[..length]));
    }

    /// <summary>An address, with or without the brackets CoreDNS's README shows around IPv6 (<c>[::1]</c>).</summary>
    private static bool TryParseAddress(ReadOnlySpan<char> text, Span<byte> destination, out int length)
    {
        length = 0;
        if (text.Length > 2 && text[0] == '[' && text[^1] == ']')
        {
            text = text[1..^1];
        }
        if (text.Contains('%') || !IPAddress.TryParse(text, out var address))
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return address.TryWriteBytes(destination, out length);
    }

    /// <summary>Go's <c>net.ParseCIDR</c>: ADDRESS/PREFIX, the prefix required; an IPv4-mapped range is an IPv4 range.</summary>
    internal static bool TryParseRange(ReadOnlySpan<char> text, out byte[]? network, out int prefix)
    {
        network = null;
        prefix = 0;
        int slash = text.IndexOf('/');
        if (slash < 0 || text[..slash].Contains('%') || !IPAddress.TryParse(text[..slash], out var address)
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix))
        {
            return false;
        }
        int bits = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > bits)
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }
        network = address.GetAddressBytes();
        return true;
    }

    private static bool Contains(byte[] network, int prefix, ReadOnlySpan<byte> address)
    {
        if (address.Length != network.Length)
        {
            return false;
        }
        int full = prefix >> 3;
        if (!address[..full].SequenceEqual(network.AsSpan(0, full)))
        {
            return false;
        }
        int rest = prefix & 7;
        if (rest == 0)
        {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (address[full] & mask) == (network[full] & mask);
    }
}
