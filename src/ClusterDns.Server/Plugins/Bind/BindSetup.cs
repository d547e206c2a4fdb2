using System.Net;
using System.Net.NetworkInformation;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Bind;

/// <summary>
/// <c>bind ADDRESS|INTERFACE...</c>: the server block listens on these addresses only. An interface name
/// (<c>lo</c>, <c>eth0</c>) stands for all of its unicast addresses at startup. No handler: it only fills
/// <see cref="ServerBlockBuilder.BindAddresses"/>.
/// </summary>
public sealed class BindSetup : IPluginSetup
{
    private readonly Func<IEnumerable<NetworkInterface>> _interfaces;

    public BindSetup()
        : this(NetworkInterface.GetAllNetworkInterfaces)
    {
    }

    internal BindSetup(Func<IEnumerable<NetworkInterface>> interfaces) => _interfaces = interfaces;

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
        if (directive.HasBlock)
        {
            // CoreDNS's 'except' sub-directive is not offered.
            throw directive.Error("'bind' does not take a block ('except' is not supported)");
        }
        var addresses = new List<IPAddress>();
        NetworkInterface[]? interfaces = null;
        foreach (var arg in directive.Args)
        {
            if (IPAddress.TryParse(arg.Text, out var address) && !arg.Text.Contains('/'))
            {
                addresses.Add(address);
                continue;
            }
            interfaces ??= _interfaces().ToArray();
            var match = Array.Find(interfaces, i => string.Equals(i.Name, arg.Text, StringComparison.Ordinal));
            if (match is null)
            {
                throw arg.Error($"'{arg.Text}' is neither an IP address nor a network interface of this host");
            }
            var unicast = match.GetIPProperties().UnicastAddresses.Select(u => u.Address).ToArray();
            if (unicast.Length == 0)
            {
                throw arg.Error($"network interface '{arg.Text}' has no addresses");
            }
            addresses.AddRange(unicast);
        }
        return new BindOptions(addresses.Distinct().ToArray());
    }
}
