using System.Globalization;
using ClusterDns.Corefile;
using YamlDotNet.RepresentationModel;

namespace ClusterDns.Deploy.Tests.Manifests;

/// <summary>The objects deploy/ renders to, with the ones the tests look at picked out.</summary>
internal sealed class DeployManifests
{
    public DeployManifests(IReadOnlyList<YamlMappingNode> objects) => Objects = objects;

    public static DeployManifests Base { get; } = new(KustomizationRenderer.Render(Repository.Deploy));

    public IReadOnlyList<YamlMappingNode> Objects { get; }

    /// <summary>The one object of this kind that belongs to the server (not to its autoscaler).</summary>
    public YamlMappingNode Single(string kind) => Assert.Single(Objects, o => o.Kind() == kind && !IsAutoscaler(o));

    /// <summary>The autoscaler's object of this kind (deploy/autoscaler).</summary>
    public YamlMappingNode Autoscaler(string kind) => Assert.Single(Objects, o => o.Kind() == kind && IsAutoscaler(o));

    public static bool IsAutoscaler(YamlMappingNode item) =>
        item.Find("metadata", "labels") is not null && item.StringMap("metadata", "labels").GetValueOrDefault("app.kubernetes.io/name") == "clusterdns-autoscaler";

    public YamlMappingNode Deployment => Single("Deployment");

    public YamlMappingNode Container => (YamlMappingNode)Assert.Single(Deployment.Seq("spec", "template", "spec", "containers"));

    /// <summary>The Corefile the ConfigMap holds, as the server will read it.</summary>
    public string CorefileText => Single("ConfigMap").Text("data", "Corefile") ?? throw new InvalidDataException("the ConfigMap has no Corefile");

    /// <summary>The port a directive of the Corefile listens on (<c>health</c>, <c>ready</c>, <c>prometheus</c>), or its default.</summary>
    public int ListenPort(string directive, int defaultPort)
    {
        var document = CorefileParser.Parse(CorefileText, "configmap.yaml");
        var found = Assert.Single(document.ServerBlocks.SelectMany(b => b.Directives), d => d.Name == directive);
        if (found.Args.Count == 0)
        {
            return defaultPort;
        }
        string address = found.Args[0].Text;
        return int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }
}
