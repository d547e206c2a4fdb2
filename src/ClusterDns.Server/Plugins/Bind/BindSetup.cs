using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Bind;

/// <summary>
/// <c>bind ADDRESS|INTERFACE... { except ADDRESS|INTERFACE... }</c>: the server block listens on these addresses
/// only. An interface name (<c>lo</c>, <c>eth0</c>) stands for all of its addresses at startup except link-local
/// ones, as CoreDNS. <c>except</c> removes addresses from this directive's list. No handler: it only fills
/// <see cref="ServerBlockBuilder.BindAddresses"/>.
/// </summary>
public sealed class BindSetup : IPluginSetup
{
    private readonly Func<IEnumerable<HostInterface>> _interfaces;

    public BindSetup()
        : this(SystemInterfaces)
    {
    }

    /// <param name="interfaces">The host's interfaces; tests pass their own.</param>
    internal BindSetup(Func<IEnumerable<HostInterface>> interfaces) => _interfaces = interfaces;

    public string Name => "bind";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive);
        foreach (var address in options.Addresses)
        {
            if (!block.BindAddresses.Contains(address))
            {
                block.BindAddresses.Add(address);
            }
        }
    }

    internal BindOptions Parse(Directive directive)
    {
        directive.ExpectArgCount(1, int.MaxValue);
        HostInterface[]? interfaces = null;
        var addresses = new List<IPAddress>();
        foreach (var arg in directive.Args)
        {
            addresses.AddRange(Resolve(arg, ref interfaces));
        }
        var excluded = new List<IPAddress>();
        foreach (var sub in directive.Block)
        {
            if (sub.Name != "except")
            {
                throw directive.UnknownSubdirective(sub);
            }
            sub.ExpectArgCount(1, int.MaxValue);
            foreach (var arg in sub.Args)
            {
                excluded.AddRange(Resolve(arg, ref interfaces));
            }
        }
        var result = addresses.Distinct().Where(a => !excluded.Contains(a)).ToArray();
        if (result.Length == 0)
        {
            // An empty list would mean "every address" to the listeners: the opposite of what was asked.
            throw directive.Error("'except' leaves no address to listen on");
        }
        return new BindOptions(result);
    }

    private IEnumerable<IPAddress> Resolve(Token arg, ref HostInterface[]? interfaces)
    {
        if (IPAddress.TryParse(arg.Text, out var address) && !arg.Text.Contains('/'))
        {
            return [address];
        }
        interfaces ??= _interfaces().ToArray();
        var match = Array.Find(interfaces, i => string.Equals(i.Name, arg.Text, StringComparison.Ordinal));
        if (match is null)
        {
            throw arg.Error($"'{arg.Text}' is neither an IP address nor a network interface of this host");
        }
        var usable = match.Addresses.Where(a => !IsLinkLocal(a)).ToArray();
        if (usable.Length == 0)
        {
            throw arg.Error($"network interface '{arg.Text}' has no addresses to listen on (link-local ones are skipped)");
        }
        return usable;
    }

    /// <summary>CoreDNS skips link-local unicast and multicast addresses of an interface.</summary>
    private static bool IsLinkLocal(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6
        ? address.IsIPv6LinkLocal || address.IsIPv6Multicast && (address.GetAddressBytes()[1] & 0x0F) == 2
        : address.GetAddressBytes() is [169, 254, _, _] or [224, 0, 0, _];

    private static IEnumerable<HostInterface> SystemInterfaces() =>
        NetworkInterface.GetAllNetworkInterfaces().Select(i => new HostInterface(i.Name,
            [.. i.GetIPProperties().UnicastAddresses.Select(u => u.Address)]));
}

/// <summary>A network interface's name and addresses, as <see cref="BindSetup"/> needs them.</summary>
internal sealed record HostInterface(string Name, IPAddress[] Addresses);
