using ClusterDns.Corefile;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Reload;

/// <summary>
/// <c>reload [INTERVAL [JITTER]]</c>: the host checks the Corefile's hash every INTERVAL ± JITTER and swaps in a
/// new pipeline when it changed (see <c>DnsHostedService</c>). Global, as in CoreDNS: the first
/// <c>reload</c> of the Corefile sets the schedule.
/// </summary>
public sealed class ReloadSetup : IPluginSetup
{
    public string Name => "reload";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = Parse(directive);
        var first = block.Source.Directives.First(d => d.Name == Name);
        if (!ReferenceEquals(first, directive))
        {
            throw directive.Error("'reload' can only be used once per server block");
        }
        var lifecycle = block.Context.Lifecycle;
        lifecycle.Reload ??= new ReloadSchedule(options.Interval, options.Jitter);
    }

    public static ReloadOptions Parse(Directive directive)
    {
        directive.ExpectArgCount(0, 2);
        directive.ExpectNoBlock();
        var interval = directive.Args.Count > 0 ? directive.Args[0].ParseDuration() : ReloadOptions.DefaultInterval;
        if (interval < ReloadOptions.MinInterval)
        {
            throw directive.ArgError(0, $"reload interval must be at least {ReloadOptions.MinInterval.TotalSeconds:0}s");
        }
        var jitter = directive.Args.Count > 1 ? directive.Args[1].ParseDuration() : ReloadOptions.DefaultJitter;
        if (jitter != TimeSpan.Zero && jitter < ReloadOptions.MinJitter)
        {
            throw directive.ArgError(1, $"reload jitter must be 0 or at least {ReloadOptions.MinJitter.TotalSeconds:0}s");
        }
        // CoreDNS caps the jitter at half the interval rather than failing.
        if (jitter > interval / 2)
        {
            jitter = interval / 2;
        }
        return new ReloadOptions(interval, jitter);
    }
}
