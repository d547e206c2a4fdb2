using System.CommandLine;
using ClusterDns.Corefile;
using ClusterDns.Server;
using ClusterDns.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterDns;

/// <summary>The command line: the flags the coredns Deployment passes (<c>-conf</c>, <c>-dns.port</c>) and ours.</summary>
internal static class CommandLine
{
    public static RootCommand Build()
    {
        var conf = new Option<string?>("--conf", "-conf") { Description = "The Corefile to load (default: ./Corefile, else the demo in zones/Corefile)" };
        var port = new Option<int?>("--port", "-dns.port", "-p") { Description = "Port for server blocks that name none (CoreDNS's -dns.port; default 53)" };
        var root = new RootCommand("ClusterDns: a Kubernetes cluster DNS server that reads CoreDNS's Corefile. "
            + "`clusterdns node-cache -localip …` runs as the NodeLocal DNSCache's node-cache (Go flags; -h lists them).") { conf, port };
        root.Subcommands.Add(Migration.CorefileCommand.Build());
        root.Subcommands.Add(Diagnostics.ExplainCommand.Build());
        // A synchronous action on purpose: System.CommandLine then leaves SIGTERM to the Generic Host, whose
        // shutdown runs the lameduck; an asynchronous action would be cut off after its 2 s termination timeout.
        root.SetAction(result =>
        {
            var corefile = result.GetValue(conf) ?? FindDefaultCorefile();
            if (corefile is null)
            {
                Console.Error.WriteLine("No Corefile: give -conf FILE, or run from a folder with a Corefile or from the repository (zones/Corefile).");
                return 2;
            }
            return RunServerAsync(new DnsServerOptions(corefile, result.GetValue(port))).GetAwaiter().GetResult();
        });
        return root;
    }

    /// <summary>Runs the server until SIGTERM; <paramref name="addServices"/> adds hosted services of a mode (node-cache).</summary>
    internal static async Task<int> RunServerAsync(DnsServerOptions options, Action<IServiceCollection>? addServices = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        // The host logs a failed start with the exception's stack trace; RunServerAsync reports every start-up
        // failure itself as one line (as CoreDNS does), and an unexpected one still ends the process loudly.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        // Lameduck (health { lameduck }) must fit in the host's shutdown; Kubernetes' default grace period is 30 s.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new ProcessServices(sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton(sp => new DnsServer(sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<ProcessServices>().Observer)
        {
            Shutdown = sp.GetRequiredService<ProcessServices>().Shutdown,
        });
        builder.Services.AddSingleton(sp => new DnsHostedService(
            options,
            sp.GetRequiredService<DnsServer>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<ProcessServices>(),
            sp.GetRequiredService<IHostApplicationLifetime>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DnsHostedService>());
        addServices?.Invoke(builder.Services);
        using var host = builder.Build();
        try
        {
            host.Services.GetRequiredService<DnsHostedService>().LoadCorefile();
            await host.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (CorefileException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
            return 1;
        }
        catch (FormatException exception)
        {
            await Console.Error.WriteLineAsync($"{options.CorefilePath}: {exception.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception exception) when (exception is System.Net.Sockets.SocketException or IOException)
        {
            await Console.Error.WriteLineAsync($"Cannot listen: {exception.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>CoreDNS reads ./Corefile; from a checkout of this repository, the demo runs with no arguments.</summary>
    private static string? FindDefaultCorefile()
    {
        if (File.Exists("Corefile"))
        {
            return Path.GetFullPath("Corefile");
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var demo = Path.Combine(dir.FullName, "zones", "Corefile");
                if (File.Exists(demo))
                {
                    return demo;
                }
            }
        }
        return null;
    }
}
