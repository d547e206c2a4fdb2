using System.Globalization;

namespace ClusterDns.Protocol;

/// <summary>One EDNS(0) option (RFC 6891 §6.1.2): a code and its opaque data.</summary>
public sealed class EdnsOption : IEquatable<EdnsOption>
{
    public const ushort Nsid = 3;
    public const ushort ClientSubnet = 8;
    public const ushort Cookie = 10;
    public const ushort TcpKeepalive = 11;
    public const ushort Padding = 12;
    public const ushort ExtendedError = 15;

    public EdnsOption(ushort code, byte[] data)
    {
        if (data.Length > ushort.MaxValue)
        {
            throw new ArgumentException("An EDNS option holds at most 65535 bytes.", nameof(data));
        }
        Code = code;
        Data = data;
    }

    public ushort Code { get; }

    public byte[] Data { get; }

    /// <summary>dig's name for the option, e.g. COOKIE, NSID; OPTnnn for the rest.</summary>
    public string Name => Code switch
    {
        Nsid => "NSID",
        ClientSubnet => "CLIENT-SUBNET",
        Cookie => "COOKIE",
        TcpKeepalive => "TCP-KEEPALIVE",
        Padding => "PADDING",
        ExtendedError => "EDE",
        _ => "OPT" + Code.ToString(CultureInfo.InvariantCulture),
    };

    public override string ToString() => $"{Name}: {Convert.ToHexStringLower(Data)}";

    public bool Equals(EdnsOption? other) => other is not null && other.Code == Code && other.Data.AsSpan().SequenceEqual(Data);

    public override bool Equals(object? obj) => obj is EdnsOption other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Code);
        hash.AddBytes(Data);
        return hash.ToHashCode();
    }
}
