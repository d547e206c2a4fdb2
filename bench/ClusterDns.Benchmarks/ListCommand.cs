using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using ClusterDns.Kubernetes;
using ClusterDns.Testing.FakeApiServer;
using k8s;

namespace ClusterDns.Benchmarks;

/// <summary>
/// <c>list [SERVICES] [ROUNDS]</c>: the first list of SERVICES Services (default 100,000) from the test API server,
/// by our informer (pages of 500 decoded item by item, key → resourceVersion kept) against the client library's
/// typed list (<c>CoreV1.ListServiceForAllNamespaces</c>, paged by 500 and in one piece). Each client runs in a
/// child process of its own, so its peak RSS (VmHWM) is its own; the server stays in this process for all of them.
/// </summary>
internal static class ListCommand
{
    private static readonly string[] Clients = ["ours", "library-paged", "library-whole"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length >= 2 && args[0] == "--client") return await ClientAsync(args[1], args[2]).ConfigureAwait(false);
        int services = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;

        await using var server = await FakeKubernetesApiServer.StartAsync().ConfigureAwait(false);
        for (int i = 0; i < services; i++)
        {
            string ns = "ns-" + (i % 100).ToString(CultureInfo.InvariantCulture);
            string name = "svc-" + i.ToString(CultureInfo.InvariantCulture);
            server.Store.Apply("services", $$$"""{"metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","labels":{"app":"{{{name}}}","tier":"backend"},"annotations":{"owner":"team-{{{i % 37}}}"}},"spec":{"type":"ClusterIP","clusterIP":"10.{{{96 + i / 65536}}}.{{{i / 256 % 256}}}.{{{i % 256}}}","clusterIPs":["10.{{{96 + i / 65536}}}.{{{i / 256 % 256}}}.{{{i % 256}}}"],"ipFamilies":["IPv4"],"ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080},{"name":"metrics","port":9090,"protocol":"TCP","targetPort":9090}],"selector":{"app":"{{{name}}}"},"sessionAffinity":"None"}}""");
        }

        string kubeconfig = Path.Combine(Path.GetTempPath(), $"clusterdns-list-{Environment.ProcessId}.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, server.KubeConfig()).ConfigureAwait(false);
        try
        {
            Console.WriteLine($"services={services} rounds={rounds} (server in process {Environment.ProcessId}, each client a child process)");
            for (int round = 1; round <= rounds; round++)
            {
                foreach (var client in Clients)
                {
                    Console.WriteLine($"round {round} {await RunChildAsync(client, kubeconfig).ConfigureAwait(false)}");
                }
            }
        }
        finally
        {
            File.Delete(kubeconfig);
        }

        return 0;
    }

    private static async Task<string> RunChildAsync(string client, string kubeconfig)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(ListCommand).Assembly.Location);
        foreach (var a in (string[])["list", "--client", client, kubeconfig]) start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await child.WaitForExitAsync().ConfigureAwait(false);
        return output.Trim();
    }

    private static async Task<int> ClientAsync(string client, string kubeconfig)
    {
        long baseline = Status("VmRSS:");
        var clock = Stopwatch.StartNew();
        int items = client switch
        {
            "ours" => await OursAsync(kubeconfig).ConfigureAwait(false),
            "library-paged" => await LibraryAsync(kubeconfig, limit: 500).ConfigureAwait(false),
            _ => await LibraryAsync(kubeconfig, limit: null).ConfigureAwait(false),
        };
        var elapsed = clock.Elapsed;
        Console.WriteLine($"{client,-14} items={items} first list {elapsed.TotalMilliseconds,7:F0} ms  peak RSS {Status("VmHWM:") / 1024.0,6:F1} MiB "
            + $"(start {baseline / 1024.0:F1} MiB)  allocated {GC.GetTotalAllocatedBytes() / 1048576.0,7:F1} MiB");
        return 0;
    }

    /// <summary>Our informer through ApiServerSource until Services are synced; the consumer counts and drops the changes.</summary>
    private static async Task<int> OursAsync(string kubeconfig)
    {
        if (!KubeConfigLoader.TryLoad(kubeconfig, null, out var connection, out var error)) throw new InvalidOperationException(error);
        var source = new ApiServerSource(connection!, [ResourceKind.Service]);
        var changes = Channel.CreateUnbounded<ClusterChange>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(changes.Writer, stop.Token);
        int items = 0;
        await foreach (var change in changes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (change.Type == ChangeType.Synced) break;
            items++;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return items;
    }

    /// <summary>The library's typed list; like an informer's first list it keeps key → resourceVersion of each item.</summary>
    private static async Task<int> LibraryAsync(string kubeconfig, int? limit)
    {
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        using var client = new k8s.Kubernetes(configuration);
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        string? next = null;
        do
        {
            var page = await client.CoreV1.ListServiceForAllNamespacesAsync(limit: limit, continueParameter: next).ConfigureAwait(false);
            foreach (var service in page.Items) known[service.Metadata.NamespaceProperty + "/" + service.Metadata.Name] = service.Metadata.ResourceVersion;
            next = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));
        return known.Count;
    }

    private static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal)) return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }

        return 0;
    }
}
