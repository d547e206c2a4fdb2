using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Rewrite;

/// <summary>Which EDNS0 option an <c>edns0</c> rule works on.</summary>
internal enum Edns0Kind : byte
{
    Local,
    Nsid,
    Subnet,
}

/// <summary>CoreDNS's actions: replace an existing option, append a missing one, set (either), unset (remove).</summary>
internal enum Edns0Action : byte
{
    Set,
    Append,
    Replace,
    Unset,
}

/// <summary>The request values <c>edns0 local</c> data may name instead of fixed bytes.</summary>
internal enum Edns0Variable : byte
{
    None,
    QueryName,
    QueryType,
    ClientIp,
    ClientPort,
    Protocol,
    ServerPort,
}

/// <summary>What a variable or an ECS option is filled from: the query as the rules have left it, and its client.</summary>
internal readonly record struct Edns0Facts(string Name, RecordType Type, IPEndPoint Client, bool Tcp, int LocalPort);

/// <summary>
/// One <c>rewrite edns0 local|nsid|subnet ACTION …</c> rule (CoreDNS's edns0.go semantics): applied to the
/// request's option list; false when it did nothing (CoreDNS's RewriteIgnored, so a later rule still runs).
/// </summary>
internal sealed class Edns0Rule
{
    public required Edns0Kind Kind { get; init; }
    public required Edns0Action Action { get; init; }

    /// <summary>The option code: the configured one for local, 3 for nsid, 8 for subnet.</summary>
    public ushort Code { get; init; }

    /// <summary>local: fixed data (hex after 0x, else the text's bytes) when <see cref="Variable"/> is None.</summary>
    public byte[] Data { get; init; } = [];

    public Edns0Variable Variable { get; init; }

    public byte V4Bits { get; init; }
    public byte V6Bits { get; init; }

    /// <summary><c>revert</c> was written: accepted; ClusterDns never shows the client the rewritten options anyway.</summary>
    public bool Revert { get; init; }

    /// <summary>
    /// Without allocating: could this rule change a request whose OPT is <paramref name="options"/> (or absent)?
    /// Rules that cannot (replace or unset with no such option, append with one) leave the query untouched.
    /// </summary>
    public bool MightApply(bool present, ReadOnlySpan<byte> options)
    {
        bool has = present && Edns0Options.Contains(options, Code);
        return Action switch
        {
            Edns0Action.Append => !has,
            Edns0Action.Replace or Edns0Action.Unset => has,
            _ => true,
        };
    }

    /// <summary>Applies the rule to <paramref name="options"/>; <paramref name="present"/> becomes true when an OPT is created.</summary>
    public bool Apply(List<EdnsOption> options, ref bool present, in Edns0Facts facts)
    {
        int index = options.FindIndex(option => option.Code == Code);
        if (Action == Edns0Action.Unset)
        {
            int removed = options.RemoveAll(option => option.Code == Code);
            return removed > 0;
        }
        if (index >= 0)
        {
            if (Action is Edns0Action.Append)
            {
                return false;
            }
            var replaced = Build(facts, options[index]);
            if (replaced is null)
            {
                return false;
            }
            options[index] = replaced;
            return true;
        }
        if (Action is Edns0Action.Replace)
        {
            return false;
        }
        var added = Build(facts, existing: null);
        if (added is null)
        {
            return false;
        }
        options.Add(added);
        present = true; // CoreDNS adds an OPT (4096 bytes, DO clear) to a query that had none
        return true;
    }

    private EdnsOption? Build(in Edns0Facts facts, EdnsOption? existing) => Kind switch
    {
        Edns0Kind.Nsid => new EdnsOption(EdnsOption.Nsid, []),
        Edns0Kind.Subnet => Subnet(facts.Client.Address, existing),
        _ => Variable == Edns0Variable.None ? new EdnsOption(Code, Data) : new EdnsOption(Code, VariableData(facts)),
    };

    private byte[] VariableData(in Edns0Facts facts)
    {
        var client = Unmapped(facts.Client.Address);
        return Variable switch
        {
            Edns0Variable.QueryName => Encoding.ASCII.GetBytes(facts.Name),
            Edns0Variable.QueryType => Port((int)facts.Type),
            Edns0Variable.ClientIp => client.GetAddressBytes(),
            Edns0Variable.ClientPort => Port(facts.Client.Port),
            Edns0Variable.Protocol => Encoding.ASCII.GetBytes(facts.Tcp ? "tcp" : "udp"),
            _ => Port(facts.LocalPort),
        };
    }

    private static byte[] Port(int value)
    {
        var data = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)value);
        return data;
    }

    /// <summary>
    /// RFC 7871 §6: FAMILY, SOURCE PREFIX-LENGTH, SCOPE PREFIX-LENGTH 0, and the client's address cut to the prefix
    /// (whole octets, the rest of the last one zero). An existing option's shorter prefix is kept, as CoreDNS does.
    /// </summary>
    private EdnsOption Subnet(IPAddress address, EdnsOption? existing)
    {
        var client = Unmapped(address);
        bool v4 = client.AddressFamily == AddressFamily.InterNetwork;
        int bits = v4 ? V4Bits : V6Bits;
        if (existing is { Data.Length: >= 3 } && existing.Data[2] < bits)
        {
            bits = existing.Data[2];
        }
        var raw = client.GetAddressBytes();
        int octets = (bits + 7) / 8;
        var data = new byte[4 + octets];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)(v4 ? 1 : 2));
        data[2] = (byte)bits;
        raw.AsSpan(0, octets).CopyTo(data.AsSpan(4));
        if (bits % 8 != 0)
        {
            data[^1] &= (byte)(0xFF << (8 - bits % 8));
        }
        return new EdnsOption(EdnsOption.ClientSubnet, data);
    }

    /// <summary>An IPv4 client on a dual-stack socket is an IPv4 client (CoreDNS's family 1).</summary>
    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
