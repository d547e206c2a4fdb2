using ClusterDns.Testing.Processes;

namespace ClusterDns.Deploy.Tests;

/// <summary>
/// The answer to "port 53 without root" for images without file capabilities (docs/operations.md): the pod's sysctl
/// lets its non-root user, holding no capability at all and with no_new_privs, bind :53 in the pod's own network
/// namespace; without the sysctl the same process must be refused, which shows the sysctl is what makes the
/// difference. The image's own answer, the file capability, is tested on the image's build (DockerfileTests).
/// </summary>
public sealed class Port53WithoutRootTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_pods_sysctl_lets_the_unprivileged_user_serve_port_53(bool withSysctl)
    {
        var (program, prefix) = ClusterDnsExecutable.Command();
        var result = await Port53.ServeAsync([program, .. prefix], withSysctl);
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
}
