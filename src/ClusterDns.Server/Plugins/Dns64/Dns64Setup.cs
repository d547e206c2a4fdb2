using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Dns64;

/// <summary><c>dns64 [PREFIX] { prefix PREFIX; translate_all; allow_ipv4 }</c>, as CoreDNS's dns64.</summary>
public sealed class Dns64Setup : IPluginSetup
{
    public string Name => "dns64";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive);
        string server = "dns://:" + block.Port.ToString(CultureInfo.InvariantCulture);
        block.AddHandler(new Dns64Handler(options, new Dns64Metrics(block.Context.Metrics, server)));
    }

    internal static Dns64Options Parse(Directive directive)
    {
        directive.ExpectArgCount(0, 1);
        var (prefix, length) = directive.Args.Count == 1 ? ParsePrefix(directive.Args[0]) : (Dns64Options.WellKnownPrefix.GetAddressBytes(), 96);
        bool translateAll = false, allowIpv4 = false;
        foreach (var line in directive.Block)
        {
            if (line.HasBlock)
            {
                throw line.Error($"'dns64': '{line.Name}' takes no block");
            }
            switch (line.Name)
            {
                case "prefix":
                    line.ExpectArgCount(1, 1);
                    (prefix, length) = ParsePrefix(line.Args[0]);
                    break;
                case "translate_all":
                    line.ExpectArgCount(0, 0);
                    translateAll = true;
                    break;
                case "allow_ipv4":
                    line.ExpectArgCount(0, 0);
                    allowIpv4 = true;
                    break;
                default:
                    throw line.Error($"'dns64': unknown property '{line.Name}'");
            }
        }
        return new Dns64Options { Prefix = prefix, PrefixLength = length, TranslateAll = translateAll, AllowIpv4 = allowIpv4 };
    }

    /// <summary>An IPv6 CIDR whose length RFC 6052 allows; host bits are cleared, as Go's ParseCIDR does.</summary>
    private static (byte[] Prefix, int Length) ParsePrefix(Token token)
    {
        string text = token.Text;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int length))
        {
            throw token.Error($"'dns64': invalid prefix '{text}': expected an IPv6 prefix such as 64:ff9b::/96");
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || text.Contains('%', StringComparison.Ordinal) || address.IsIPv4MappedToIPv6)
        {
            throw token.Error($"'dns64': invalid prefix '{text}': not an IPv6 prefix");
        }
        if (Array.IndexOf(Dns64Address.ValidPrefixLengths, length) < 0)
        {
            throw token.Error($"'dns64': invalid prefix length /{length.ToString(CultureInfo.InvariantCulture)} in '{text}': RFC 6052 allows 32, 40, 48, 56, 64 or 96");
        }
        var bytes = address.GetAddressBytes();
        bytes.AsSpan(length / 8).Clear();
        return (bytes, length);
    }
}
