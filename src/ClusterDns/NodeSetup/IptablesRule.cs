namespace ClusterDns.NodeSetup;

/// <summary>One rule node-cache keeps: its table, chain and match, as iptables' arguments.</summary>
internal sealed record IptablesRule(string Table, string Chain, IReadOnlyList<string> Args)
{
    public override string ToString() => $"-t {Table} {Chain} {string.Join(' ', Args)}";

    /// <summary>
    /// node-cache's rules for each local address, in its order: skip conntrack (raw NOTRACK) for DNS to and from the
    /// address, accept it in filter (the usual "accept established" rules never see untracked packets), and skip
    /// conntrack for the liveness probe to the health port too.
    /// </summary>
    public static IReadOnlyList<IptablesRule> ForNodeCache(IEnumerable<string> localIPs, int dnsPort, int healthPort)
    {
        string port = dnsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string health = healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var rules = new List<IptablesRule>();
        foreach (string ip in localIPs)
        {
            foreach (var (table, chain, direction, verdict) in (ReadOnlySpan<(string, string, string, string)>)
                [
                    ("raw", "PREROUTING", "-d", "NOTRACK"),
                    ("filter", "INPUT", "-d", "ACCEPT"),
                    ("raw", "OUTPUT", "-s", "NOTRACK"),
                    ("filter", "OUTPUT", "-s", "ACCEPT"),
                    ("raw", "OUTPUT", "-d", "NOTRACK"),
                ])
            {
                string portMatch = direction == "-d" ? "--dport" : "--sport";
                rules.Add(new IptablesRule(table, chain, ["-p", "tcp", direction, ip, portMatch, port, "-j", verdict]));
                rules.Add(new IptablesRule(table, chain, ["-p", "udp", direction, ip, portMatch, port, "-j", verdict]));
            }
            rules.Add(new IptablesRule("raw", "OUTPUT", ["-p", "tcp", "-d", ip, "--dport", health, "-j", "NOTRACK"]));
            rules.Add(new IptablesRule("raw", "OUTPUT", ["-p", "tcp", "-s", ip, "--sport", health, "-j", "NOTRACK"]));
        }
        return rules;
    }
}
