using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary>A CIDR prefix matched against raw A/AAAA RDATA, so a match allocates nothing.</summary>
public sealed class Subnet
{
    private readonly byte[] _prefix;
    private readonly int _bits;

    private Subnet(byte[] prefix, int bits, string text)
    {
        _prefix = prefix;
        _bits = bits;
        Text = text;
    }

    public string Text { get; }

    /// <summary>Parses <c>ADDRESS/BITS</c> (host bits are cleared, as Go's ParseCIDR does).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out Subnet? subnet)
    {
        subnet = null;
        int slash = text.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int bits))
        {
            return false;
        }
        var bytes = address.GetAddressBytes();
        int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (bits > max || text.AsSpan(0, slash).Contains('%'))
        {
            return false;
        }
        for (int i = 0; i < bytes.Length; i++)
        {
            int keep = Math.Clamp(bits - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        subnet = new Subnet(bytes, bits, text);
        return true;
    }

    /// <summary>True when <paramref name="rdata"/> (4 or 16 bytes) is an address of this subnet's family inside it.</summary>
    public bool Contains(ReadOnlySpan<byte> rdata)
    {
        if (rdata.Length != _prefix.Length)
        {
            return false;
        }
        int whole = _bits / 8;
        if (!rdata[..whole].SequenceEqual(_prefix.AsSpan(0, whole)))
        {
            return false;
        }
        int rest = _bits % 8;
        return rest == 0 || (rdata[whole] & (byte)(0xFF << (8 - rest))) == _prefix[whole];
    }

    public override string ToString() => Text;
}
