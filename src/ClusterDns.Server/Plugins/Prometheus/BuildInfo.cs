using System.Reflection;
using System.Runtime.InteropServices;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary>The labels of <c>coredns_build_info</c>: our version, the git revision if the build stamped one, the runtime.</summary>
internal static class BuildInfo
{
    public static (string Version, string Revision, string Runtime) Read()
    {
        var informational = typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        // SourceLink-style versions read "1.2.3+<commit>".
        int plus = informational.IndexOf('+');
        var version = plus >= 0 ? informational[..plus] : informational;
        var revision = plus >= 0 ? informational[(plus + 1)..] : "unknown";
        return (version, revision, RuntimeInformation.FrameworkDescription);
    }
}
