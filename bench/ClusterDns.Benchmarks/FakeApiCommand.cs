using System.Diagnostics;
using System.Globalization;
using System.Text;
using ClusterDns.Testing.FakeApiServer;

namespace ClusterDns.Benchmarks;

/// <summary>
/// <c>fake-api --objects FILE --kubeconfig OUT</c>: serves the objects of FILE (lines "resource TAB json", as
/// bench/load/gen_cluster.py writes them) from the test API server and writes a kubeconfig for it. Then reads
/// commands from stdin until it closes: <c>fresh COUNT DNSPORT</c> measures freshness (see <see cref="FreshnessProbe"/>)
/// and prints one line "fresh n=.. p50_ms=.. p99_ms=.. max_ms=.. timeouts=..".
/// </summary>
internal static class FakeApiCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? objects = null, kubeconfig = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--objects": objects = args[i + 1]; break;
                case "--kubeconfig": kubeconfig = args[i + 1]; break;
                default:
                    await Console.Error.WriteLineAsync($"fake-api: unknown option {args[i]}").ConfigureAwait(false);
                    return 2;
            }
        }
        if (objects is null || kubeconfig is null || !File.Exists(objects))
        {
            await Console.Error.WriteLineAsync("usage: fake-api --objects FILE --kubeconfig OUT (FILE must exist)").ConfigureAwait(false);
            return 2;
        }

        await using var server = await FakeKubernetesApiServer.StartAsync().ConfigureAwait(false);
        int count = 0;
        foreach (var line in File.ReadLines(objects))
        {
            int tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0)
            {
                continue;
            }
            server.Store.Apply(line[..tab], line[(tab + 1)..]);
            count++;
        }
        await File.WriteAllTextAsync(kubeconfig, KubeConfig(server), Encoding.UTF8).ConfigureAwait(false);
        Console.WriteLine($"ready {server.Server} objects={count}");

        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } command)
        {
            var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[0] == "fresh"
                && int.TryParse(parts[1], CultureInfo.InvariantCulture, out int changes) && changes > 0
                && int.TryParse(parts[2], CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536)
            {
                var result = await FreshnessProbe.RunAsync(server.Store, changes, port).ConfigureAwait(false);
                Console.WriteLine(result);
            }
            else
            {
                Console.WriteLine($"error: expected 'fresh COUNT DNSPORT', got '{command}'");
            }
        }
        return 0;
    }

    private static string KubeConfig(FakeKubernetesApiServer server)
    {
        string ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(server.CertificateAuthority.CertificatePem));
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster: {"{"}server: "{server.Server.ToString().TrimEnd('/')}", certificate-authority-data: "{ca}"{"}"}
            users:
            - name: bench
              user: {"{"}token: "{server.Token}"{"}"}
            contexts:
            - name: fake
              context: {"{"}cluster: fake, user: bench{"}"}
            current-context: fake
            """;
    }
}
