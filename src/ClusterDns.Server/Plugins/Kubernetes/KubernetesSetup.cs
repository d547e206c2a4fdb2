using ClusterDns.Corefile;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;
using ClusterDns.Server.Plugins.Kubernetes.Building;
using ClusterDns.Server.Plugins.Kubernetes.Index;
using ClusterDns.Server.Plugins.Kubernetes.Multicluster;
using ClusterDns.Server.Plugins.Kubernetes.Options;
using ClusterDns.Server.Plugins.Kubernetes.Persistence;
using ClusterDns.Server.Plugins.Kubernetes.Services;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// <c>kubernetes [ZONES...] { endpoint URL; tls CERT KEY CACERT; kubeconfig PATH [CONTEXT]; namespaces NS...;
/// namespace_labels SELECTOR; labels SELECTOR; pods disabled|insecure|verified; endpoint_pod_names; ttl SECONDS;
/// noendpoints; fallthrough [ZONES...]; ignore empty_service; startup_timeout DURATION; manifests DIR; snapshot FILE;
/// stale_after DURATION; multicluster ZONES... }</c>
/// </summary>
public sealed class KubernetesSetup : IPluginSetup
{
    public string Name => "kubernetes";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var options = ParseOptions(directive, block);
        var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.Kubernetes");
        IClusterSource source = options.ManifestsDirectory is { } directory
            ? new ManifestDirectorySource(directory, logger)
            : ApiSourceFactory.Create(options, directive, logger);
        var self = ReplicaRotation.AddressFromEnvironment(Environment.GetEnvironmentVariable);
        var builder = new ClusterZoneBuilder(options, source.Kinds)
        {
            Metrics = new KubernetesMetrics(block.Context.Metrics),
            WatchedEndpoints = self is null ? null : options.NameServerService,
        };
        if (self is not null && block.Context.Lifecycle.Rotation is null)
        {
            // Lameduck ends when this replica has left its Service's endpoints (docs/operations.md, "Signals").
            var rotation = new ReplicaRotation(self, options.NameServerService);
            builder.WatchedEndpointsChanged += rotation.Observe;
            block.Context.Lifecycle.Rotation = rotation;
        }
        var snapshot = options.SnapshotPath is { } path ? new ClusterStateFile(path, ClusterStateFile.HashOptions(options), logger) : null;
        var clusterset = options.Multicluster.Count > 0 ? new ClustersetBuilder(options) : null;
        var component = new ClusterZoneComponent(source, builder, logger, snapshot, options.StaleAfter) { Clusterset = clusterset };
        component.Freshness.Register(block.Context.Metrics);
        block.Context.Components.Add(component);
        block.Context.Readiness.Add(component);
        block.Context.Explainers.Add(component);
        block.AddHandler(new KubernetesHandler(options, () => builder.Current, block.Resolver, clusterset, () => builder.PodAddresses, builder, logger));
        block.MetadataProviders.AddRange(KubernetesMetadata.Providers(options.Zones));
    }

    public static KubernetesOptions ParseOptions(Directive directive, ServerBlockBuilder block)
    {
        var options = new KubernetesOptions { Zones = ZoneArguments.OrBlock(directive.Args, 0, block.Zones, insideBlock: true) };
        foreach (var sub in directive.Block)
        {
            options = sub.Name switch
            {
                "endpoint" => Single(sub, (o, a) => o with { Endpoint = a }, options),
                "tls" => Tls(sub, options, block),
                "kubeconfig" => KubeConfig(sub, options, block),
                "namespaces" => options with { Namespaces = sub.Args.Select(a => a.Text).ToHashSet(StringComparer.Ordinal) },
                "namespace_labels" => Selector(sub, (o, a) => o with { NamespaceLabels = a }, options),
                "labels" => Selector(sub, (o, a) => o with { Labels = a }, options),
                "pods" => Pods(sub, options),
                "endpoint_pod_names" => NoArgs(sub, options with { EndpointPodNames = true }),
                "ttl" => Ttl(sub, options),
                "noendpoints" => NoArgs(sub, options with { NoEndpoints = true }),
                "fallthrough" => options with { Fallthrough = ZoneArguments.Parse(sub.Args) },
                "ignore" => Ignore(sub, options),
                "multicluster" => MulticlusterZones.Parse(sub, options),
                "startup_timeout" => Single(sub, (o, _) => o with { StartupTimeout = sub.Args[0].ParseDuration() }, options),
                "manifests" => Single(sub, (o, a) => o with { ManifestsDirectory = block.Context.ResolvePath(a) }, options),
                "stale_after" => StaleAfter(sub, options),
                "snapshot" => Single(sub, (o, a) => o with { SnapshotPath = block.Context.ResolvePath(a) }, options),
                // CoreDNS 1.14 client-go request bounds: accepted and checked; our lists and watches stay far below them.
                "apiserver_qps" => ApiServerBound(sub, options, fractional: true),
                "apiserver_burst" or "apiserver_max_inflight" => ApiServerBound(sub, options, fractional: false),
                // CoreDNS 1.14 refuses the old option too: transfers are the transfer directive's, beside kubernetes.
                "transfer" => throw sub.Error("'transfer' is no longer a kubernetes option: use the transfer directive in the server block (transfer ZONE { to ADDRESS })"),
                _ => throw directive.UnknownSubdirective(sub),
            };
        }
        if (options.ManifestsDirectory is { } directory && !Directory.Exists(directory))
        {
            throw directive.Error($"manifests directory '{directory}' does not exist");
        }
        return options;
    }

    private static KubernetesOptions Single(Directive sub, Func<KubernetesOptions, string, KubernetesOptions> apply, KubernetesOptions options)
    {
        sub.ExpectArgCount(1, 1);
        sub.ExpectNoBlock();
        return apply(options, sub.Args[0].Text);
    }

    private static KubernetesOptions NoArgs(Directive sub, KubernetesOptions options)
    {
        sub.ExpectArgCount(0, 0);
        return options;
    }

    private static KubernetesOptions Selector(Directive sub, Func<KubernetesOptions, string, KubernetesOptions> apply, KubernetesOptions options)
    {
        sub.ExpectArgCount(1, int.MaxValue);
        var text = string.Join(' ', sub.Args.Select(a => a.Text));
        if (!LabelSelector.TryParse(text, out _, out var error))
        {
            throw sub.Error($"'{sub.Name}': {error}");
        }
        return apply(options, text);
    }

    private static KubernetesOptions Tls(Directive sub, KubernetesOptions options, ServerBlockBuilder block)
    {
        sub.ExpectArgCount(3, 3);
        var paths = sub.Args.Select(a => block.Context.ResolvePath(a.Text)).ToArray();
        return options with { Tls = (paths[0], paths[1], paths[2]) };
    }

    private static KubernetesOptions KubeConfig(Directive sub, KubernetesOptions options, ServerBlockBuilder block)
    {
        sub.ExpectArgCount(1, 2);
        return options with
        {
            KubeConfigPath = block.Context.ResolvePath(sub.Args[0].Text),
            KubeConfigContext = sub.Args.Count > 1 ? sub.Args[1].Text : null,
        };
    }

    private static KubernetesOptions Pods(Directive sub, KubernetesOptions options)
    {
        sub.ExpectArgCount(1, 1);
        return options with
        {
            Pods = sub.Args[0].Text switch
            {
                "disabled" => PodsMode.Disabled,
                "insecure" => PodsMode.Insecure,
                "verified" => PodsMode.Verified,
                var other => throw sub.ArgError(0, $"pods must be disabled, insecure or verified, not '{other}'"),
            },
        };
    }

    /// <summary>
    /// apiserver_qps / _burst / _max_inflight bound client-go's request rate and concurrency in CoreDNS. This client
    /// makes one paged list and one long watch per kind, resumes a watch without relisting, and backs off failures
    /// (100 ms doubling to 30 s): a handful of requests a minute, so the bound is checked but never reached.
    /// </summary>
    private static KubernetesOptions ApiServerBound(Directive sub, KubernetesOptions options, bool fractional)
    {
        sub.ExpectArgCount(1, 1);
        sub.ExpectNoBlock();
        var token = sub.Args[0];
        bool valid = fractional
            ? double.TryParse(token.Text, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out double rate) && double.IsFinite(rate)
            : token.Text.Length > 0 && token.Text.All(char.IsAsciiDigit) && int.TryParse(token.Text, System.Globalization.CultureInfo.InvariantCulture, out _);
        return valid ? options : throw token.Error($"'{sub.Name}' expects a non-negative {(fractional ? "number" : "integer")}, not '{token.Text}'");
    }

    private static KubernetesOptions StaleAfter(Directive sub, KubernetesOptions options)
    {
        sub.ExpectArgCount(1, 1);
        sub.ExpectNoBlock();
        return options with { StaleAfter = sub.Args[0].ParseDuration() };
    }

    private static KubernetesOptions Ttl(Directive sub, KubernetesOptions options)
    {
        sub.ExpectArgCount(1, 1);
        return options with { Ttl = (uint)sub.Args[0].ParseInt(0, 3600) };
    }

    private static KubernetesOptions Ignore(Directive sub, KubernetesOptions options)
    {
        sub.ExpectArgCount(1, 1);
        if (sub.Args[0].Text != "empty_service")
        {
            throw sub.ArgError(0, $"unknown ignore option '{sub.Args[0].Text}' (only empty_service)");
        }
        return options with { IgnoreEmptyService = true };
    }
}
