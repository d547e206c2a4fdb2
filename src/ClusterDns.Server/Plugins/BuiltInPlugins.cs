using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins;

/// <summary>Every plugin setup this build knows; the Corefile may use each of these directive names.</summary>
public static class BuiltInPlugins
{
    public static IReadOnlyList<IPluginSetup> All { get; } =
    [
        // One line per plugin, in any order: the chain order comes from PluginOrder.
        new Prometheus.PrometheusSetup(),
        new Health.HealthSetup(),
        new Ready.ReadySetup(),
        new Reload.ReloadSetup(),
        new LoadBalance.LoadBalanceSetup(),
        new Kubernetes.KubernetesSetup(),
        new K8sExternal.K8sExternalSetup(),
        new Forward.ForwardSetup(),
        new Cache.CacheSetup(),
        new Loop.LoopSetup(),
        new FilePlugin.FileSetup(),
        new Secondary.SecondarySetup(),
        new Hosts.HostsSetup(),
        new Whoami.WhoamiSetup(),
        new Bind.BindSetup(),
        new BufSize.BufSizeSetup(),
        new MultiSocket.MultiSocketSetup(),
        new Timeouts.TimeoutsSetup(),
        new Errors.ErrorsSetup(),
        new Log.LogSetup(),
        new Acl.AclSetup(),
        new Local.LocalSetup(),
        new Any.AnySetup(),
        new Nsid.NsidSetup(),
        new Chaos.ChaosSetup(),
        new Header.HeaderSetup(),
        new Rewrite.RewriteSetup(),
        new Template.TemplateSetup(),
        new Dns64.Dns64Setup(),
        new View.ViewSetup(),
        new Metadata.MetadataSetup(),
        new Minimal.MinimalSetup(),
        new Shed.ShedSetup(),
        new Transfer.TransferSetup(),
        new Autopath.AutopathSetup(),
        new Tls.TlsSetup(),
        new Https.HttpsSetup(),
    ];

    public static PluginRegistry CreateRegistry() => new(All);
}
