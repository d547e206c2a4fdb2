using System.Net;
using ClusterDns.NodeSetup;
using ClusterDns.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterDns.NodeCache;

/// <summary>
/// <c>clusterdns node-cache FLAGS</c>: the NodeLocal DNSCache's <c>node-cache</c> binary in place (same flags, same
/// Corefile template, same interface and iptables rules). Exit codes: 0 after SIGTERM, 1 cannot start, 2 bad flags.
/// </summary>
internal static class NodeCacheCommand
{
    public const string Name = "node-cache";

    public static int Run(string[] args, TextWriter output, TextWriter error, Func<string, string?>? environment = null)
    {
        if (!NodeCacheFlags.TryParse(args, out var options, out string? problem, out string? usage))
        {
            if (problem is null)
            {
                output.Write($"Usage of clusterdns {Name}:\nRuns ClusterDns as a node-local cache listening on the given addresses\n\n{usage}");
                return 0;
            }
            error.WriteLine($"Error parsing flags - {problem}, Exiting");
            if (usage is not null)
            {
                error.Write(usage);
            }
            return 2;
        }

        if (Prepare(options, environment ?? Environment.GetEnvironmentVariable, out var iptables, out var corefile, out string? warning) is { } startError)
        {
            error.WriteLine(startError);
            return 1;
        }
        if (warning is not null)
        {
            error.WriteLine($"Invalid config, serving without it: {warning}");
        }

        return CommandLine.RunServerAsync(new DnsServerOptions(options.Corefile, options.LocalPort), services =>
        {
            services.AddSingleton(options);
            services.AddSingleton(corefile);
            services.AddSingleton(sp =>
            {
                var errors = new SetupErrors(sp.GetRequiredService<ProcessServices>().Registry);
                if (warning is not null)
                {
                    errors.Count("configmap");
                }
                return errors;
            });
            services.AddSingleton(sp => new NodeNetworkSetup(options, iptables, sp.GetRequiredService<SetupErrors>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("nodecache")));
            services.AddSingleton(sp => new NodeCacheService(options, sp.GetRequiredService<NodeNetworkSetup>(), corefile,
                sp.GetRequiredService<SetupErrors>(), sp.GetRequiredService<ProcessServices>().Registry, sp.GetRequiredService<ILoggerFactory>()));
            services.AddHostedService(sp => sp.GetRequiredService<NodeCacheService>());
        }).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Everything that can be checked before the server starts: iptables present, the template readable, the
    /// upstream Service's address known when the template asks for it, the Corefile written.
    /// </summary>
    internal static string? Prepare(
        NodeCacheOptions options,
        Func<string, string?> environment,
        out Iptables? iptables,
        out NodeCacheCorefile corefile,
        out string? warning)
    {
        iptables = null;
        warning = null;
        corefile = null!;
        if (options.SetupIptables)
        {
            string? binary = Iptables.Find(options.IsIPv6, environment("PATH"));
            if (binary is null)
            {
                return $"-setupiptables: {(options.IsIPv6 ? "ip6tables" : "iptables")} is not installed (not found on PATH); install iptables in the image, or pass -setupiptables=false";
            }
            iptables = new Iptables(binary);
        }

        string template;
        try
        {
            template = File.ReadAllText(options.BaseCorefile);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"-basecorefile: cannot read {options.BaseCorefile}: {exception.Message}";
        }

        string variable = CorefileTemplate.ServiceHostVariable(options.UpstreamService);
        string? clusterDnsIP = environment(variable) is { } value && IPAddress.TryParse(value, out var address) ? address.ToString() : null;
        if (clusterDnsIP is null && template.Contains(CorefileTemplate.ClusterDns, StringComparison.Ordinal))
        {
            return $"-upstreamsvc: {variable} is not set to an IP address, so {CorefileTemplate.ClusterDns} in {options.BaseCorefile} has no value "
                + $"(Kubernetes sets it in pods started after the Service {options.UpstreamService} exists in their namespace)";
        }

        corefile = new NodeCacheCorefile(options, clusterDnsIP);
        string? problem = corefile.Update();
        if (corefile.Written is null)
        {
            return problem ?? $"-conf: nothing written to {options.Corefile}";
        }
        warning = problem;
        return null;
    }
}
