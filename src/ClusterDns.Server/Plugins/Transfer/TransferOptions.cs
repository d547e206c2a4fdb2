using System.Net;
using ClusterDns.Protocol;

namespace ClusterDns.Server.Plugins.Transfer;

/// <summary>One <c>to</c> value: every client (<c>*</c>), one address (with the port NOTIFY goes to), or a network.</summary>
public sealed record TransferPeer(IPAddress? Address, int Port, IPNetwork? Network)
{
    public static TransferPeer Anyone { get; } = new(null, 0, null);

    public bool IsAnyone => Address is null && Network is null;

    /// <summary>A single address is a secondary: it gets NOTIFY; <c>*</c> and networks only may transfer.</summary>
    public IPEndPoint? NotifyTarget => Address is null ? null : new IPEndPoint(Address, Port);

    public bool Allows(IPAddress client)
    {
        if (IsAnyone)
        {
            return true;
        }
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }
        return Network is { } network ? network.Contains(client) : Address!.Equals(client);
    }

    public override string ToString() =>
        IsAnyone ? "*" : Network is { } network ? network.ToString() : new IPEndPoint(Address!, Port).ToString();
}

/// <summary>One <c>transfer</c> directive: its zones and who may transfer them.</summary>
public sealed record TransferRule(IReadOnlyList<DnsName> Zones, IReadOnlyList<TransferPeer> To)
{
    internal byte[][] ZonesWire { get; } = Zones.Select(z => z.ToLower().Wire.ToArray()).ToArray();

    public bool Allows(IPAddress client)
    {
        foreach (var peer in To)
        {
            if (peer.Allows(client))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when <paramref name="client"/> is one of the single addresses, which get NOTIFY anyway.</summary>
    public bool NotifiesDirectly(IPAddress client)
    {
        foreach (var peer in To)
        {
            if (peer.Address is not null && peer.Allows(client))
            {
                return true;
            }
        }
        return false;
    }
}
