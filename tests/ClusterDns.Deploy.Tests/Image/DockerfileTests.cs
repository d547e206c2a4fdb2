using System.Reflection.PortableExecutable;
using ClusterDns.Deploy.Tests.Image;
using ClusterDns.Deploy.Tests.Manifests;
using ClusterDns.Testing.Processes;

namespace ClusterDns.Deploy.Tests;

/// <summary>
/// The image cannot be built here (no Docker engine), so its build stage is run as docker would run it: the same
/// COPY and RUN lines, read out of the Dockerfile, in a temporary root. The output must be the Native AOT executable,
/// marked with the capability to bind :53, that starts. The runtime stage is checked against what the Deployment
/// expects of it.
/// </summary>
public sealed class DockerfileTests
{
    private static Dockerfile Load() => Dockerfile.Load(Repository.PathOf("Dockerfile"));

    [Fact]
    public async Task The_build_stage_publishes_a_native_clusterdns_with_the_port_53_capability_that_starts()
    {
        var dockerfile = Load();
        var build = dockerfile.Stages[0];
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", build.Image, StringComparison.Ordinal);
        Assert.Single(build.All("RUN"), r => r.Arguments.Contains("dotnet publish", StringComparison.Ordinal));

        string root = Path.Combine(Path.GetTempPath(), "clusterdns-image-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var runner = new BuildStageRunner(Repository.Root, root);
            await runner.RunAsync(build);

            // What the runtime stage copies out of the build stage.
            var copy = Assert.Single(dockerfile.Stages[^1].All("COPY"), c => c.Arguments.StartsWith($"--from={build.Name} ", StringComparison.Ordinal));
            string published = runner.HostPath(copy.Arguments.Split(' ')[1]);
            string executable = Path.Combine(published, "clusterdns");
            Assert.True(File.Exists(executable), $"{executable} was not published");
            Assert.False(File.Exists(Path.Combine(published, "clusterdns.dll")), "a clusterdns.dll was published: the build is not Native AOT");
            byte[] magic = new byte[4];
            using (var file = File.OpenRead(executable))
            {
                file.ReadExactly(magic);
            }
            Assert.True(magic is [0x7F, (byte)'E', (byte)'L', (byte)'F'], $"{executable} is not an ELF executable");

            var capabilities = await ProcessRunner.RunAsync("getcap", [executable]);
            Assert.Contains("cap_net_bind_service=ep", capabilities.Output, StringComparison.Ordinal);

            var help = await ProcessRunner.RunAsync(executable, ["--help"], timeout: TimeSpan.FromMinutes(1));
            Assert.True(help.ExitCode == 0, help.ToString());
            Assert.Contains("-conf", help.Output, StringComparison.Ordinal);
            var corefile = await ProcessRunner.RunAsync(executable, ["corefile", "--help"], timeout: TimeSpan.FromMinutes(1));
            Assert.True(corefile.ExitCode == 0, corefile.ToString());

            // The image's answer to port 53 without root: uid 1654, no sysctl, the capability from the file alone.
            var served = await Port53.ServeAsync(executable, withSysctl: false);
            Assert.True(served.ExitCode == 0, served.ToString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_runtime_stage_is_chiseled_runtime_deps_non_root_exposes_the_ports_and_takes_corednss_arguments()
    {
        var runtime = Load().Stages[^1];
        Assert.StartsWith("mcr.microsoft.com/dotnet/runtime-deps:10.0", runtime.Image, StringComparison.Ordinal);
        Assert.Contains("chiseled", runtime.Image, StringComparison.Ordinal);

        string user = Assert.Single(runtime.All("USER")).Arguments;
        Assert.True(int.TryParse(user.Split(':')[0], out int uid) && uid != 0, $"USER {user}: must be a non-root number so Kubernetes can check runAsNonRoot");
        Assert.Equal(DeployManifests.Base.Deployment.Text("spec", "template", "spec", "securityContext", "runAsUser"), uid.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var exposed = runtime.All("EXPOSE").SelectMany(e => e.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
        Assert.Equal(["53/udp", "53/tcp", "9153", "8080", "8181"], exposed);

        // The Deployment's args (-conf /etc/coredns/Corefile) are appended to this entrypoint.
        Assert.Equal("""["/app/clusterdns"]""", Assert.Single(runtime.All("ENTRYPOINT")).Arguments);
        Assert.Null(runtime.All("CMD").FirstOrDefault());
    }
}
