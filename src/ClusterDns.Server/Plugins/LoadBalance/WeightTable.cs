using System.Globalization;
using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Zones;

namespace ClusterDns.Server.Plugins.LoadBalance;

/// <summary>
/// The parsed weight file of <c>loadbalance weighted</c>: owner name (lower-case wire form) → address RDATA and
/// weight 1–255. Immutable; a reload builds a new table and swaps it. Lookups take spans and allocate nothing.
/// </summary>
internal sealed class WeightTable
{
    public static readonly WeightTable Empty = new(new Dictionary<byte[], Weight[]>(WireNameComparer.Instance));

    private readonly Dictionary<byte[], Weight[]>.AlternateLookup<ReadOnlySpan<byte>> _byName;

    private WeightTable(Dictionary<byte[], Weight[]> byName)
    {
        _byName = byName.GetAlternateLookup<ReadOnlySpan<byte>>();
        NameCount = byName.Count;
    }

    public int NameCount { get; }

    /// <summary>The weight of <paramref name="rdata"/> for <paramref name="lowerName"/>; 1 (CoreDNS's default) when not listed.</summary>
    public byte WeightOf(ReadOnlySpan<byte> lowerName, ReadOnlySpan<byte> rdata)
    {
        if (_byName.TryGetValue(lowerName, out var weights))
        {
            foreach (var weight in weights)
            {
                if (rdata.SequenceEqual(weight.Address))
                {
                    return weight.Value;
                }
            }
        }
        return 1;
    }

    /// <summary>
    /// Parses the weight file format: a domain name on a line of its own, then <c>ADDRESS WEIGHT</c> lines for it;
    /// blank lines and lines starting with <c>#</c> are ignored. On a bad line returns false with its number and why.
    /// </summary>
    public static bool TryParse(string text, out WeightTable table, out int errorLine, out string? error)
    {
        table = Empty;
        errorLine = 0;
        error = null;
        var byName = new Dictionary<byte[], List<Weight>>(WireNameComparer.Instance);
        List<Weight>? current = null;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            errorLine = i + 1;
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            switch (fields.Length)
            {
                case 1:
                    if (IPAddress.TryParse(fields[0], out _))
                    {
                        error = $"wrong domain name '{fields[0]}' (maybe a missing weight value?)";
                        return false;
                    }
                    string nameText = fields[0].EndsWith('.') ? fields[0] : fields[0] + ".";
                    if (!DnsName.TryParse(nameText, out var name, out var nameError))
                    {
                        error = $"wrong domain name '{fields[0]}': {nameError}";
                        return false;
                    }
                    var key = name.ToLower().Wire.ToArray();
                    if (!byName.TryGetValue(key, out current))
                    {
                        byName[key] = current = new List<Weight>();
                    }
                    break;
                case 2:
                    if (!IPAddress.TryParse(fields[0], out var address) || fields[0].Contains('/') || fields[0].Contains('%'))
                    {
                        error = $"wrong IP address '{fields[0]}'";
                        return false;
                    }
                    if (!byte.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out byte value) || value == 0)
                    {
                        error = $"wrong weight value '{fields[1]}' (expected 1-255)";
                        return false;
                    }
                    if (current is null)
                    {
                        error = $"missing domain name before '{line}'";
                        return false;
                    }
                    if (address.IsIPv4MappedToIPv6)
                    {
                        address = address.MapToIPv4();
                    }
                    current.Add(new Weight(address.GetAddressBytes(), value));
                    break;
                default:
                    error = $"could not parse weight line '{line}'";
                    return false;
            }
        }
        errorLine = 0;
        var frozen = new Dictionary<byte[], Weight[]>(byName.Count, WireNameComparer.Instance);
        foreach (var (key, weights) in byName)
        {
            frozen[key] = weights.ToArray();
        }
        table = new WeightTable(frozen);
        return true;
    }

    /// <summary>One address's RDATA and its weight.</summary>
    internal sealed record Weight(byte[] Address, byte Value);
}
