using System.Globalization;
using System.Text;
using ClusterDns.Testing.FakeApiServer;

namespace ClusterDns.Benchmarks;

/// <summary>
/// <c>fake-api --objects FILE --kubeconfig OUT [--port P] [--state DIR] [--changes FILE] [--compact]</c>: serves the
/// objects of FILE (lines "resource TAB json", as bench/load/gen_cluster.py writes them) from the test API server
/// and writes a kubeconfig for it. For the fault soak a killed server can be restarted as the same API server:
/// <c>--port</c> and <c>--state</c> (CA and token, created on first use) keep the kubeconfig valid; <c>--changes</c>
/// replays every change since the start (lines "apply TAB resource TAB json" or "delete TAB resource TAB key"), so
/// the restarted server hands out the same resourceVersions and history and keeps counting up from them;
/// <c>--compact</c> then forgets that history, so watches resuming from an older resourceVersion get 410 Gone.
/// Then reads commands from stdin until it closes (see <see cref="FakeApiControl"/>).
/// </summary>
internal static class FakeApiCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? objects = null, kubeconfig = null, state = null, changes = null;
        int port = 0;
        bool compact = false;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--objects": objects = value; i++; break;
                case "--kubeconfig": kubeconfig = value; i++; break;
                case "--state": state = value; i++; break;
                case "--changes": changes = value; i++; break;
                case "--port" when int.TryParse(value, CultureInfo.InvariantCulture, out port) && port is >= 0 and < 65536: i++; break;
                case "--compact": compact = true; break;
                default:
                    await Console.Error.WriteLineAsync($"fake-api: bad option {args[i]}").ConfigureAwait(false);
                    return 2;
            }
        }
        if (objects is null || kubeconfig is null || !File.Exists(objects) || (changes is not null && !File.Exists(changes)))
        {
            await Console.Error.WriteLineAsync("usage: fake-api --objects FILE --kubeconfig OUT [--port P] [--state DIR] [--changes FILE] [--compact]").ConfigureAwait(false);
            return 2;
        }

        var (ca, token) = state is null ? (null, null) : LoadOrCreateState(state);
        await using var server = await FakeKubernetesApiServer.StartAsync(port, ca, token).ConfigureAwait(false);
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
        int replayed = 0;
        if (changes is not null)
        {
            foreach (var line in File.ReadLines(changes))
            {
                var parts = line.Split('\t', 3);
                if (parts.Length == 3)
                {
                    FakeApiControl.Change(server.Store, parts[0], parts[1], parts[2]);
                    replayed++;
                }
            }
        }
        if (compact)
        {
            server.Store.Compact();
        }
        await File.WriteAllTextAsync(kubeconfig, KubeConfig(server), Encoding.UTF8).ConfigureAwait(false);
        Console.WriteLine($"ready {server.Server} objects={count} replayed={replayed} revision={server.Store.Revision} compacted={server.Store.CompactedRevision}");

        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } command)
        {
            Console.WriteLine(await FakeApiControl.RunAsync(server.Store, command).ConfigureAwait(false));
        }
        return 0;
    }

    /// <summary>The CA and token of DIR, created there on first use so every restart presents the same ones.</summary>
    private static (TestCertificateAuthority Ca, string Token) LoadOrCreateState(string directory)
    {
        Directory.CreateDirectory(directory);
        string caPath = Path.Combine(directory, "ca.pem"), keyPath = Path.Combine(directory, "ca-key.pem"), tokenPath = Path.Combine(directory, "token");
        if (File.Exists(caPath) && File.Exists(keyPath) && File.Exists(tokenPath))
        {
            return (TestCertificateAuthority.FromPem(File.ReadAllText(caPath), File.ReadAllText(keyPath)), File.ReadAllText(tokenPath).Trim());
        }
        var ca = new TestCertificateAuthority();
        string token = "token-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(caPath, ca.CertificatePem);
        File.WriteAllText(keyPath, ca.PrivateKeyPem);
        File.WriteAllText(tokenPath, token);
        return (ca, token);
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
