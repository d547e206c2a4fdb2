using ClusterDns.Deploy.Tests.Manifests;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Deploy.Tests;

/// <summary>
/// The Deployment's answer to "port 53 without root" (docs/migration.md): its pod sysctl lets its non-root user,
/// holding no capability at all and with no_new_privs, bind :53 in the pod's own network namespace. Run in a
/// fresh network namespace (unshare, as root) with the uid and sysctl read from the manifest; without the sysctl
/// the same process must be refused, which shows the sysctl is what makes the difference.
/// </summary>
public sealed class Port53WithoutRootTests
{
    private const string Script = """
        set -u
        ip link set lo up
        if [ -n "$SYSCTL" ]; then sysctl -q -w "$SYSCTL"; fi
        # The unprivileged user reads the Corefile and writes its log here.
        chmod 777 "$DIR"
        setpriv --reuid="$UID_" --regid="$UID_" --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs \
          env HOME=/tmp DOTNET_CLI_HOME=/tmp dotnet "$DLL" -conf "$DIR/Corefile" > "$DIR/server.log" 2>&1 &
        pid=$!
        for attempt in $(seq 1 60); do
          if ! kill -0 $pid 2>/dev/null; then echo "server exited"; cat "$DIR/server.log"; exit 3; fi
          if dig @127.0.0.1 -p 53 +time=1 +tries=1 whoami.example A | grep -q "status: NOERROR"; then kill $pid; echo "answered on 53"; exit 0; fi
        done
        kill $pid; echo "no answer"; cat "$DIR/server.log"; exit 4
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_pods_sysctl_lets_the_unprivileged_user_serve_port_53(bool withSysctl)
    {
        Assert.True(IsRoot(), "needs root for a network namespace (unshare -n)");
        var pod = DeployManifests.Base.Deployment.Map("spec", "template", "spec");
        string uid = pod.Text("securityContext", "runAsUser") ?? throw new InvalidDataException("no runAsUser");
        var sysctl = Assert.Single(pod.Seq("securityContext", "sysctls"));

        string directory = Path.Combine(Path.GetTempPath(), "clusterdns-port53-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "Corefile"), ".:53 {\n    whoami\n}\n");
            File.WriteAllText(Path.Combine(directory, "run.sh"), Script);

            string command = $"DIR='{directory}' DLL='{Path.Combine(AppContext.BaseDirectory, "clusterdns.dll")}' UID_='{uid}' " +
                $"SYSCTL='{(withSysctl ? $"{sysctl.Text("name")}={sysctl.Text("value")}" : string.Empty)}' unshare -n bash '{Path.Combine(directory, "run.sh")}'";
            var result = await ProcessRunner.RunAsync("bash", ["-c", command], timeout: TimeSpan.FromMinutes(2));
            if (withSysctl)
            {
                Assert.True(result.ExitCode == 0, result.ToString());
            }
            else
            {
                Assert.Equal(3, result.ExitCode);
                Assert.Contains("Permission denied", result.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static bool IsRoot() => File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
}
