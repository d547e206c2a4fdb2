using System.Globalization;
using ClusterDns.Corefile;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Autopath;

/// <summary>
/// <c>autopath [ZONE...] RESOLV-CONF</c> or <c>autopath [ZONE...] @kubernetes</c>, as CoreDNS's autopath. With
/// <c>@kubernetes</c> the kubernetes plugin of the same block gives each client's search list; it must be there
/// (CoreDNS silently does nothing without it). A kubernetes block without <c>pods verified</c> cannot find pods:
/// autopath then passes queries on, as CoreDNS, with one warning at start-up.
/// </summary>
public sealed class AutopathSetup : IPluginSetup
{
    /// <summary>The only plugin that can give a client's search list.</summary>
    public const string Kubernetes = "kubernetes";

    private readonly string _hostResolvConf;

    /// <param name="hostResolvConf">The server's own resolv.conf, whose search domains end every pod's list (tests give another).</param>
    public AutopathSetup(string hostResolvConf = "/etc/resolv.conf") => _hostResolvConf = hostResolvConf;

    public string Name => "autopath";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        if (block.Handlers.Any(h => h.Name == Name))
        {
            throw directive.Error("'autopath' may appear once per server block");
        }
        var options = Parse(directive, block, _hostResolvConf);
        string server = "dns://:" + block.Port.ToString(CultureInfo.InvariantCulture);
        var handler = new AutopathHandler(options, new AutopathMetrics(block.Context.Metrics, server));
        block.AddHandler(handler);
        if (options.Plugin is not null)
        {
            var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.Autopath");
            block.Context.Components.Add(new AutopathBinding(handler, () => block.Handlers, options.Origin, logger));
        }
    }

    internal static AutopathOptions Parse(Directive directive, ServerBlockBuilder block, string hostResolvConf)
    {
        directive.ExpectNoBlock();
        if (directive.Args.Count == 0)
        {
            throw directive.Error("'autopath' needs a resolv.conf file or @kubernetes as its last argument (no resolv-conf specified)");
        }
        var last = directive.Args[^1];
        var zones = ZoneArguments.OrBlock(directive.Args.Take(directive.Args.Count - 1).ToArray(), 0, block.Zones);
        string origin = $"{directive.File}:{directive.Line.ToString(CultureInfo.InvariantCulture)}";
        if (last.Text.StartsWith('@'))
        {
            var plugin = last.Text[1..];
            if (plugin != Kubernetes)
            {
                throw last.Error($"'autopath': '{last.Text}' does not give search paths; only @kubernetes does");
            }
            if (!block.Source.Directives.Any(d => d.Name == Kubernetes))
            {
                throw last.Error("'autopath @kubernetes' needs a 'kubernetes' directive in the same server block");
            }
            return new AutopathOptions { Zones = zones, Plugin = plugin, Search = ResolvConfSearch.ReadOrEmpty(hostResolvConf), Origin = origin };
        }
        var path = block.Context.ResolvePath(last.Text);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw last.Error($"'autopath': cannot read resolv.conf '{path}': {exception.Message}");
        }
        // A file without a search line is accepted, as CoreDNS does: there is then nothing to complete.
        return new AutopathOptions { Zones = zones, Search = ResolvConfSearch.Parse(text), Origin = origin };
    }
}
