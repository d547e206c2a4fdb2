using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Tests.Plugins.Health;

/// <summary>A test plugin, <c>testsync</c>, that stands for an informer: not ready until the test says it synced.</summary>
internal sealed class ControlledReadiness : IReadinessReporter, IPluginSetup
{
    private volatile bool _ready;

    public string Name => "testsync";

    public bool IsReady => _ready;

    public void MarkSynced() => _ready = true;

    void IPluginSetup.Setup(Directive directive, ServerBlockBuilder block) => block.Context.Readiness.Add(this);

    public PluginRegistry Registry() => new(ClusterDns.Server.Plugins.BuiltInPlugins.All.Append(this));
}
