using System.Net;

namespace ClusterDns.Server.Plugins.Dns64;

/// <summary>What one <c>dns64</c> directive asks for.</summary>
internal sealed class Dns64Options
{
    /// <summary>RFC 6052's well-known prefix.</summary>
    public static readonly IPAddress WellKnownPrefix = IPAddress.Parse("64:ff9b::");

    /// <summary>The prefix, host bits cleared (16 bytes).</summary>
    public byte[] Prefix { get; init; } = WellKnownPrefix.GetAddressBytes();

    /// <summary>32, 40, 48, 56, 64 or 96 (RFC 6052 section 2.2).</summary>
    public int PrefixLength { get; init; } = 96;

    /// <summary>Synthesise even when the AAAA answer has AAAA records (CoreDNS's <c>translate_all</c>).</summary>
    public bool TranslateAll { get; init; }

    /// <summary>Also translate for clients that asked over IPv4.</summary>
    public bool AllowIpv4 { get; init; }

    public override string ToString() => $"{new IPAddress(Prefix)}/{PrefixLength}";
}
