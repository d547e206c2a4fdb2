using System.Net;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>Reads the <c>nameserver</c> lines of a resolv.conf file.</summary>
internal static class ResolvConf
{
    /// <summary>The nameserver addresses in file order; lines that are not nameservers, or not IP addresses, are skipped.</summary>
    public static List<IPAddress> ParseNameservers(string content)
    {
        var servers = new List<IPAddress>();
        foreach (var rawLine in content.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || fields[0] != "nameserver")
            {
                continue;
            }
            // A link-local IPv6 address may carry a zone ("fe80::1%eth0"); IPAddress parses it.
            if (IPAddress.TryParse(fields[1], out var address))
            {
                servers.Add(address);
            }
        }
        return servers;
    }
}
