using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Forward;

/// <summary>
/// <c>forward FROM TO... { except NAMES...; force_tcp; prefer_udp; expire D; max_fails N;
/// health_check D [no_rec] [domain NAME]; policy random|round_robin|sequential; max_concurrent N;
/// max_concurrent_per_client N|fair; next RCODE...;
/// failfast_all_unhealthy_upstreams; tls [CERT KEY] [CA]; tls_servername NAME; doh_method GET|POST; max_idle_conns N; max_connect_attempts N;
/// failover RCODE...; next_on_nodata; max_age D; source_address IP; resolver IP[:PORT]...; read_timeout D }</c>.
/// </summary>
public sealed class ForwardSetup : IPluginSetup
{
    public string Name => "forward";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive, block.Context.ResolvePath);
        var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.Forward");
        var staticUpstreams = options.Upstreams;
        if (options.Hostnames.Count > 0)
        {
            options = options with { Upstreams = [.. staticUpstreams, .. ResolveAtStart(directive, options)] };
        }
        var handler = new ForwardHandler(options, logger);
        block.AddHandler(handler);
        // The handler owns sockets and health probes: they end when its pipeline is replaced.
        block.Context.Components.Add(handler);
        if (options.Hostnames.Count > 0)
        {
            block.Context.Components.Add(new UpstreamNameRefresher(handler, staticUpstreams, logger));
        }
        ForwardMetrics.Of(block.Context).Register(block.Context.Metrics, handler);
    }

    /// <summary>CoreDNS resolves host name upstreams before it serves; a name that does not resolve stops the start.</summary>
    private static IReadOnlyList<UpstreamAddress> ResolveAtStart(Directive directive, ForwardOptions options)
    {
        IReadOnlyList<UpstreamAddress> resolved;
        try
        {
            resolved = Task.Run(() => UpstreamNameResolver.ResolveAllAsync(options.Hostnames, options.Resolvers, CancellationToken.None))
                .GetAwaiter().GetResult();
        }
        catch (UpstreamResolutionException exception)
        {
            throw directive.Error(exception.Message);
        }
        int total = options.Upstreams.Count + resolved.Count;
        if (total > ForwardOptions.MaxUpstreams)
        {
            throw directive.Error($"'forward' takes at most {ForwardOptions.MaxUpstreams} upstreams, got {total} once host names were resolved");
        }
        return resolved;
    }

    internal static ForwardOptions Parse(Directive directive, Func<string, string> resolvePath)
    {
        directive.ExpectArgCount(2, int.MaxValue);
        var from = ZoneArguments.Parse([directive.Args[0]]);
        var upstreams = new List<UpstreamAddress>();
        var hostnames = new List<HostnameUpstream>();
        for (int i = 1; i < directive.Args.Count; i++)
        {
            upstreams.AddRange(ForwardAddressSyntax.ParseUpstream(directive.Args[i], resolvePath, hostnames));
        }
        if (upstreams.Count + hostnames.Count > ForwardOptions.MaxUpstreams)
        {
            throw directive.Error($"'forward' takes at most {ForwardOptions.MaxUpstreams} upstreams, got {upstreams.Count + hostnames.Count}");
        }

        var options = new ForwardOptions { From = from, Upstreams = upstreams, Hostnames = hostnames };
        string? tlsServerName = null;
        Directive? tls = null;
        Directive? serverNameLine = null;
        Directive? perClient = null;
        foreach (var sub in directive.Block)
        {
            switch (sub.Name)
            {
                case "except":
                    sub.ExpectArgCount(1, int.MaxValue);
                    options = options with { Except = [.. options.Except, .. ZoneArguments.Parse(sub.Args)] };
                    break;
                case "force_tcp":
                    sub.ExpectArgCount(0, 0);
                    options = options with { ForceTcp = true };
                    break;
                case "prefer_udp":
                    sub.ExpectArgCount(0, 0);
                    options = options with { PreferUdp = true };
                    break;
                case "expire":
                    sub.ExpectArgCount(1, 1);
                    options = options with { Expire = sub.Args[0].ParseDuration() };
                    break;
                case "max_fails":
                    sub.ExpectArgCount(1, 1);
                    options = options with { MaxFails = sub.Args[0].ParseInt(0) };
                    break;
                case "health_check":
                    options = ParseHealthCheck(sub, options);
                    break;
                case "policy":
                    sub.ExpectArgCount(1, 1);
                    options = options with
                    {
                        Policy = sub.Args[0].Text switch
                        {
                            "random" => ForwardPolicy.Random,
                            "round_robin" => ForwardPolicy.RoundRobin,
                            "sequential" => ForwardPolicy.Sequential,
                            var other => throw sub.Args[0].Error($"unknown policy '{other}' (expected random, round_robin or sequential)"),
                        },
                    };
                    break;
                case "max_concurrent":
                    sub.ExpectArgCount(1, 1);
                    options = options with { MaxConcurrent = sub.Args[0].ParseInt(0) };
                    break;
                case "max_concurrent_per_client":
                    sub.ExpectArgCount(1, 1);
                    perClient = sub;
                    options = options with
                    {
                        MaxConcurrentPerClient = sub.Args[0].Text == "fair" ? ForwardOptions.FairShare : sub.Args[0].ParseInt(0),
                    };
                    break;
                case "next":
                    sub.ExpectArgCount(1, int.MaxValue);
                    options = options with { NextRcodes = [.. options.NextRcodes, .. sub.Args.Select(ParseRcode)] };
                    break;
                case "max_idle_conns":
                    sub.ExpectArgCount(1, 1);
                    options = options with { MaxIdleConnections = sub.Args[0].ParseInt(0) };
                    break;
                case "max_connect_attempts":
                    sub.ExpectArgCount(1, 1);
                    options = options with { MaxConnectAttempts = sub.Args[0].ParseInt(0) };
                    break;
                case "failover":
                    sub.ExpectArgCount(1, int.MaxValue);
                    options = options with { FailoverRcodes = [.. options.FailoverRcodes, .. sub.Args.Select(ParseRcode)] };
                    break;
                case "max_age":
                    sub.ExpectArgCount(1, 1);
                    options = options with { MaxAge = sub.Args[0].ParseDuration() };
                    break;
                case "read_timeout":
                    sub.ExpectArgCount(1, 1);
                    var readTimeout = sub.Args[0].ParseDuration();
                    if (readTimeout <= TimeSpan.Zero)
                    {
                        throw sub.Args[0].Error("read_timeout must be positive");
                    }
                    options = options with { ReadTimeout = readTimeout };
                    break;
                case "resolver":
                    sub.ExpectArgCount(1, int.MaxValue);
                    options = options with { Resolvers = [.. options.Resolvers, .. sub.Args.Select(ForwardAddressSyntax.ParseResolver)] };
                    break;
                case "source_address":
                    sub.ExpectArgCount(1, 1);
                    options = options with { SourceAddress = ForwardAddressSyntax.ParseSourceAddress(sub.Args[0]) };
                    break;
                case "next_on_nodata":
                    sub.ExpectArgCount(0, 0);
                    options = options with { NextOnNoData = true };
                    break;
                case "failfast_all_unhealthy_upstreams":
                    sub.ExpectArgCount(0, 0);
                    options = options with { FailFastAllUnhealthy = true };
                    break;
                case "tls":
                    sub.ExpectArgCount(0, 3);
                    tls = sub;
                    break;
                case "tls_servername":
                    sub.ExpectArgCount(1, 1);
                    tlsServerName = sub.Args[0].Text;
                    serverNameLine = sub;
                    break;
                case "doh_method":
                    sub.ExpectArgCount(1, 1);
                    options = options with
                    {
                        DohMethod = sub.Args[0].Text.ToUpperInvariant() switch
                        {
                            "POST" => DohMethod.Post,
                            "GET" => DohMethod.Get,
                            _ => throw sub.Args[0].Error($"unknown doh_method '{sub.Args[0].Text}' (expected GET or POST)"),
                        },
                    };
                    break;
                default:
                    throw directive.UnknownSubdirective(sub);
            }
        }
        if (perClient is not null && options.MaxConcurrent == 0)
        {
            throw perClient.Error("'max_concurrent_per_client' shares 'max_concurrent': set 'max_concurrent N' too");
        }
        if (serverNameLine is not null && upstreams.Any(u => u.ServerName is not null))
        {
            // As CoreDNS: two sources for one upstream's server name would clash.
            throw serverNameLine.Error("'tls_servername' cannot be used with a per-upstream server name (tls://IP%SERVERNAME)");
        }
        if (serverNameLine is not null && (upstreams.Any(u => u.Https) || hostnames.Any(h => h.HttpsPath is not null))
            && Uri.CheckHostName(tlsServerName) is UriHostNameType.Unknown or UriHostNameType.Basic)
        {
            // For https:// upstreams the name is the URL's host: it must be one.
            throw serverNameLine.Args[0].Error($"'{tlsServerName}' is not a host name, so it cannot name an https:// upstream");
        }
        return options with { Tls = ParseTls(tls, tlsServerName, resolvePath) };
    }

    private static ForwardOptions ParseHealthCheck(Directive sub, ForwardOptions options)
    {
        sub.ExpectArgCount(1, 4);
        options = options with { HealthCheckInterval = sub.Args[0].ParseDuration() };
        for (int i = 1; i < sub.Args.Count; i++)
        {
            switch (sub.Args[i].Text)
            {
                case "no_rec":
                    options = options with { HealthCheckRecursionDesired = false };
                    break;
                case "domain" when i + 1 < sub.Args.Count:
                    var nameToken = sub.Args[++i];
                    if (!DnsName.TryParse(nameToken.Text, out var name, out string? error))
                    {
                        throw nameToken.Error($"'{nameToken.Text}' is not a domain name: {error}");
                    }
                    options = options with { HealthCheckDomain = name };
                    break;
                case "domain":
                    throw sub.Args[i].Error("'domain' needs a name");
                default:
                    throw sub.Args[i].Error($"unknown health_check option '{sub.Args[i].Text}' (expected no_rec or domain NAME)");
            }
        }
        return options;
    }

    private static ResponseCode ParseRcode(Token token) =>
        RecordTypeNames.TryParseRcode(token.Text, out var rcode) ? rcode : throw token.Error($"'{token.Text}' is not an RCODE name (e.g. NXDOMAIN, SERVFAIL, REFUSED)");

    private static TlsClientOptions ParseTls(Directive? tls, string? serverName, Func<string, string> resolvePath)
    {
        if (tls is null)
        {
            return new TlsClientOptions { ServerName = serverName };
        }
        // tls | tls CA | tls CERT KEY | tls CERT KEY CA (as CoreDNS).
        var args = tls.Args;
        X509Certificate2? client = null;
        X509Certificate2Collection? authorities = null;
        try
        {
            if (args.Count >= 2)
            {
                client = X509Certificate2.CreateFromPemFile(resolvePath(args[0].Text), resolvePath(args[1].Text));
            }
            if (args.Count is 1 or 3)
            {
                authorities = new X509Certificate2Collection();
                authorities.ImportFromPemFile(resolvePath(args[^1].Text));
                if (authorities.Count == 0)
                {
                    throw tls.Error($"'{args[^1].Text}' holds no certificate");
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw tls.Error($"cannot load TLS files: {exception.Message}");
        }
        return new TlsClientOptions { ClientCertificate = client, CertificateAuthorities = authorities, ServerName = serverName };
    }
}
