using System.Reflection;
using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Chaos;

/// <summary>
/// <c>chaos [VERSION] [AUTHORS...]</c>: VERSION defaults to <c>ClusterDns-X.Y.Z</c>; AUTHORS (deduplicated and
/// sorted, as CoreDNS) to <c>ClusterDns</c>. The host name is read once, at setup.
/// </summary>
public sealed class ChaosSetup : IPluginSetup
{
    public const string DefaultAuthor = "ClusterDns";

    public string Name => "chaos";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectNoBlock();
        block.AddHandler(new ChaosHandler(Parse(directive)));
    }

    internal static ChaosOptions Parse(Directive directive)
    {
        var args = directive.Args.Select(a => a.Text).ToArray();
        string version = args.Length == 0 ? DefaultVersion() : args[0];
        IReadOnlyList<string> authors = args.Length < 2 ? [DefaultAuthor] : args[1..].Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new ChaosOptions(version, authors, Hostname());
    }

    internal static string DefaultVersion()
    {
        var informational = typeof(ChaosSetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        int plus = informational.IndexOf('+');
        return "ClusterDns-" + (plus >= 0 ? informational[..plus] : informational);
    }

    internal static string Hostname()
    {
        try
        {
            var name = System.Net.Dns.GetHostName();
            return string.IsNullOrEmpty(name) ? "localhost" : name;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "localhost";
        }
    }
}
