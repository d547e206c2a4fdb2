using ClusterDns.Deploy.Tests.Manifests;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Deploy.Tests;

/// <summary>
/// Starts ClusterDns on :53 as the Deployment's non-root user in a fresh network namespace (unshare, as root) and
/// asks it with dig: exit 0 when it answered, 3 when it exited (its log is printed), 4 when it never answered.
/// Either the pod's sysctl opens the port (the process then holds no capability at all, with no_new_privs), or
/// the executable's file capability does (the bounding set then keeps NET_BIND_SERVICE, as the Deployment's
/// `capabilities.add` does).
/// </summary>
internal static class Port53
{
    private const string Script = """
        set -u
        ip link set lo up
        if [ -n "$SYSCTL" ]; then sysctl -q -w "$SYSCTL"; fi
        # The unprivileged user reads the Corefile and writes its log here.
        chmod 777 "$DIR"
        if [ -n "$SYSCTL" ]; then caps="--bounding-set=-all --no-new-privs"; else caps="--bounding-set=-all,+net_bind_service"; fi
        setpriv --reuid="$UID_" --regid="$UID_" --clear-groups --inh-caps=-all $caps \
          env HOME=/tmp DOTNET_CLI_HOME=/tmp "$@" -conf "$DIR/Corefile" > "$DIR/server.log" 2>&1 &
        pid=$!
        for attempt in $(seq 1 60); do
          if ! kill -0 $pid 2>/dev/null; then echo "server exited"; cat "$DIR/server.log"; exit 3; fi
          if dig @127.0.0.1 -p 53 +time=1 +tries=1 whoami.example A | grep -q "status: NOERROR"; then kill $pid; echo "answered on 53"; exit 0; fi
        done
        kill $pid; echo "no answer"; cat "$DIR/server.log"; exit 4
        """;

    /// <summary>The Deployment's pod sysctl, as NAME=VALUE.</summary>
    public static string Sysctl
    {
        get
        {
            var sysctl = Assert.Single(DeployManifests.Base.Deployment.Map("spec", "template", "spec").Seq("securityContext", "sysctls"));
            return $"{sysctl.Text("name")}={sysctl.Text("value")}";
        }
    }

    /// <summary>Runs <paramref name="command"/> (ClusterDns and the arguments before its own) as described above.</summary>
    public static async Task<ProcessResult> ServeAsync(IReadOnlyList<string> command, bool withSysctl)
    {
        Assert.True(IsRoot(), "needs root for a network namespace (unshare -n)");
        string uid = DeployManifests.Base.Deployment.Text("spec", "template", "spec", "securityContext", "runAsUser")
            ?? throw new InvalidDataException("no runAsUser");
        string directory = Path.Combine(Path.GetTempPath(), "clusterdns-port53-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "Corefile"), ".:53 {\n    whoami\n}\n");
            File.WriteAllText(Path.Combine(directory, "run.sh"), Script);
            string quoted = string.Join(' ', command.Select(c => $"'{c}'"));
            string bash = $"DIR='{directory}' UID_='{uid}' SYSCTL='{(withSysctl ? Sysctl : string.Empty)}' " +
                $"unshare -n bash '{Path.Combine(directory, "run.sh")}' {quoted}";
            return await ProcessRunner.RunAsync("bash", ["-c", bash], timeout: TimeSpan.FromMinutes(2));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The native executable at <paramref name="path"/>.</summary>
    public static Task<ProcessResult> ServeAsync(string path, bool withSysctl) => ServeAsync([path], withSysctl);

    private static bool IsRoot() => File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
}
