using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ClusterDns.NodeCache;

/// <summary>
/// node-cache's command line (kubernetes/dns cmd/node-cache/main.go, plus the CoreDNS flags it reads: <c>-conf</c>,
/// <c>-dns.port</c>, <c>-pidfile</c>, <c>-quiet</c>), with its defaults, and one flag of ours, <c>-resolvconf</c>.
/// A bad value is an error naming the flag.
/// </summary>
internal static class NodeCacheFlags
{
    /// <summary>Where node-cache looks for the kube-dns ConfigMap when <c>-kubednscm</c> is not given.</summary>
    public const string DefaultKubeDnsConfigFolder = "/etc/kube-dns";

    public static bool TryParse(
        IReadOnlyList<string> args,
        [NotNullWhen(true)] out NodeCacheOptions? options,
        out string? error,
        out string? usage,
        Func<string, bool>? folderExists = null)
    {
        options = null;
        usage = null;
        var defaults = new NodeCacheOptions { LocalIPs = [], LocalIPTexts = [] };
        string localIP = string.Empty, interfaceName = defaults.InterfaceName, metrics = "0.0.0.0:9353";
        string baseCorefile = defaults.BaseCorefile, corefile = defaults.Corefile, conf = string.Empty;
        string kubeDns = string.Empty, upstream = defaults.UpstreamService, health = "8080", port = "53";
        string pidfile = string.Empty, resolvConf = defaults.ResolvConf;
        bool setupInterface = true, setupIptables = true, setupEbtables = false, skipTeardown = false;
        var syncInterval = defaults.SyncInterval;

        var flags = new GoFlagSet();
        flags.String("localip", string.Empty, "comma-separated string of ip addresses to bind dnscache to", v => localIP = v);
        flags.Bool("setupinterface", true, "indicates whether network interface should be setup", v => setupInterface = v);
        flags.String("interfacename", "nodelocaldns", "name of the interface to be created", v => interfaceName = v);
        flags.Value("syncinterval", "1m0s", "interval(in seconds) to check for iptables rules: Nns is N seconds, as node-cache counts it", v =>
            TryParseSeconds(v, out syncInterval) ? null : "expected N or Nns (N seconds, as node-cache reads its duration)");
        flags.String("initialdelay", "10ns", "initial delay(in seconds) before configuring iptables (unused, as in node-cache)", _ => { });
        flags.String("metrics-listen-address", "0.0.0.0:9353", "address to serve metrics on", v => metrics = v);
        flags.Bool("setupiptables", true, "indicates whether iptables rules should be setup", v => setupIptables = v);
        flags.Bool("setupebtables", false, "indicates whether ebtables rules should be setup (not supported by ClusterDns)", v => setupEbtables = v);
        flags.String("basecorefile", defaults.BaseCorefile, "Path to the template Corefile for node-cache", v => baseCorefile = v);
        flags.String("corefile", defaults.Corefile, "Path to the Corefile to be used by node-cache", v => corefile = v);
        flags.String("kubednscm", string.Empty, "Path where the kube-dns configmap will be mounted", v => kubeDns = v);
        flags.String("upstreamsvc", "kube-dns", "Service name whose cluster IP is upstream for node-cache", v => upstream = v);
        flags.String("health-port", "8080", "port used by health plugin", v => health = v);
        flags.Bool("skipteardown", false, "indicates whether iptables rules should be torn down on exit", v => skipTeardown = v);
        flags.String("conf", string.Empty, "Corefile to load (overrides -corefile)", v => conf = v);
        flags.String("dns.port", "53", "Default port", v => port = v);
        flags.String("pidfile", string.Empty, "Path to write pid file", v => pidfile = v);
        flags.Bool("quiet", false, "Quiet mode (no initialization output)", _ => { });
        flags.String("resolvconf", defaults.ResolvConf, "ClusterDns: what __PILLAR__UPSTREAM__SERVERS__ becomes without upstreamNameservers", v => resolvConf = v);

        if (!flags.TryParse(args, out error, out bool help))
        {
            usage = flags.Usage();
            return false;
        }
        if (help)
        {
            usage = flags.Usage();
            return false;
        }
        if (flags.Rest.Count > 0)
        {
            error = $"extra command line arguments: {string.Join(' ', flags.Rest)}";
            return false;
        }

        bool portOk = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int dnsPort) && dnsPort is > 0 and < 65536;
        bool healthOk = int.TryParse(health, NumberStyles.None, CultureInfo.InvariantCulture, out int healthPort) && healthPort is > 0 and < 65536;
        bool metricsOk = TryParseListenAddress(metrics, out var metricsAddress);
        error = CheckLocalIPs(localIP, out var addresses, out var texts)
            ?? (setupEbtables ? "-setupebtables: ebtables rules (bridge mode) are not supported by ClusterDns; remove the flag" : null)
            ?? (portOk ? null : $"-dns.port: invalid port specified - \"{port}\"")
            ?? (healthOk ? null : $"-health-port: invalid healthcheck port specified - \"{health}\"")
            ?? (metricsOk ? null : $"-metrics-listen-address: \"{metrics}\" is not IP:PORT")
            ?? (interfaceName.Length is > 0 and < 16 && !interfaceName.Contains('/') && !interfaceName.Any(char.IsWhiteSpace) ? null : $"-interfacename: \"{interfaceName}\" is not an interface name (1 to 15 characters, no '/' or space)");
        if (error is not null)
        {
            return false;
        }

        if (kubeDns.Length == 0 && (folderExists ?? Directory.Exists)(DefaultKubeDnsConfigFolder))
        {
            kubeDns = DefaultKubeDnsConfigFolder;
        }
        options = new NodeCacheOptions
        {
            LocalIPs = addresses,
            LocalIPTexts = texts,
            LocalPort = dnsPort,
            SetupInterface = setupInterface,
            InterfaceName = interfaceName,
            SyncInterval = syncInterval,
            MetricsListenAddress = metricsAddress!,
            SetupIptables = setupIptables,
            BaseCorefile = baseCorefile,
            Corefile = conf.Length > 0 ? conf : corefile,
            KubeDnsConfigFolder = kubeDns.Length > 0 ? kubeDns : null,
            UpstreamService = upstream,
            HealthPort = healthPort,
            SkipTeardown = skipTeardown,
            Pidfile = pidfile.Length > 0 ? pidfile : null,
            ResolvConf = resolvConf,
        };
        return true;
    }

    /// <summary>Each comma-separated word must be an address (Go's net.ParseIP: no zone, no brackets), all of one family.</summary>
    private static string? CheckLocalIPs(string text, out List<IPAddress> addresses, out List<string> texts)
    {
        addresses = [];
        texts = [];
        foreach (string word in text.Split(','))
        {
            if (word.Length == 0 || word.Contains('%') || word.Contains('[') || !IPAddress.TryParse(word, out var address)
                || (address.AddressFamily == AddressFamily.InterNetwork && word.Count(c => c == '.') != 3))
            {
                return $"-localip: invalid localip specified - \"{word}\" is not an IP address";
            }
            if (addresses.Count > 0 && addresses[0].AddressFamily != address.AddressFamily)
            {
                return $"-localip: unexpected IP Family for localIP - \"{word}\", want IPv6={addresses[0].AddressFamily == AddressFamily.InterNetworkV6}";
            }
            addresses.Add(address);
            texts.Add(word);
        }
        return null;
    }

    /// <summary>node-cache multiplies the duration by a second, so <c>5ns</c> means 5 s; a bare integer is taken as seconds.</summary>
    private static bool TryParseSeconds(string text, out TimeSpan interval)
    {
        interval = TimeSpan.Zero;
        string digits = text.EndsWith("ns", StringComparison.Ordinal) ? text[..^2] : text;
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds <= 0)
        {
            return false;
        }
        interval = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>Go's net.Listen address: HOST:PORT, an empty host meaning every address.</summary>
    private static bool TryParseListenAddress(string text, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        if (text.StartsWith(':') && int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port < 65536)
        {
            endPoint = new IPEndPoint(IPAddress.Any, port);
            return true;
        }
        return IPEndPoint.TryParse(text, out endPoint) && text.Contains(':') && (endPoint.Port != 0 || text.EndsWith(":0", StringComparison.Ordinal));
    }
}
