using System.Net;
using System.Text;
using ClusterDns.Kubernetes;
using ClusterDns.Protocol;
using ClusterDns.Server.Plugins.Kubernetes.Names;
using ClusterDns.Server.Plugins.Kubernetes.Options;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>One object behind a name, and what it contributes.</summary>
internal readonly record struct AnswerSource(ResourceKind Kind, string Key, string Role);

/// <summary>
/// Which stored objects the answers for a name come from, by the shape of the name the specification gives
/// (<c>svc.ns.svc.zone</c>, <c>host.svc.ns.svc.zone</c>, <c>_port._proto.svc.ns.svc.zone</c>,
/// <c>a-b-c-d.ns.pod.zone</c>, <c>ns.svc.zone</c>, reverse names). A diagnostic path: it may decode and walk
/// the store. On the writer's thread.
/// </summary>
internal sealed class ClusterAnswerSources(KubernetesOptions options, ClusterObjectStore store)
{
    /// <summary>The longest of <paramref name="zones"/> holding <paramref name="lowerName"/>, and the labels above it (leftmost first).</summary>
    internal static (DnsName? Zone, string[] Labels) SplitAtZone(IEnumerable<DnsName> zones, DnsName lowerName)
    {
        var zone = zones.Where(lowerName.IsSubdomainOf).MaxBy(z => z.WireLength);
        if (zone is null)
        {
            return (null, []);
        }
        var labels = new string[lowerName.LabelCount - zone.LabelCount];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = Encoding.ASCII.GetString(lowerName.GetLabel(i));
        }
        return (zone, labels);
    }

    /// <summary>The zone of <paramref name="name"/> (null when none of the plugin's), the objects and notes.</summary>
    public (DnsName? Zone, List<AnswerSource> Objects, List<string> Notes) Find(DnsName name)
    {
        var objects = new List<AnswerSource>();
        var notes = new List<string>();
        var lower = name.ToLower();
        var (zone, labels) = SplitAtZone(options.Zones, lower);
        if (zone is null)
        {
            return (null, objects, notes);
        }
        if (ClusterNames.IsReverseZone(zone))
        {
            FindReverse(lower, objects, notes);
            return (zone, objects, notes);
        }
        switch (labels)
        {
            case []:
                notes.Add("the zone apex: SOA and NS; the serial follows the resourceVersions applied");
                AddService(options.NameServerService, "its cluster IPs are the NS name's addresses", withSlices: false, objects);
                break;
            case ["dns-version"]:
                notes.Add("the schema version TXT record of the specification; no object");
                break;
            case ["svc" or "pod"]:
                notes.Add("an empty non-terminal of the specification's tree; no object");
                break;
            case [var ns, "svc" or "pod"]:
                AddNamespace(ns, objects, notes);
                break;
            case [var service, var ns, "svc"]:
                AddService(ns + "/" + service, "the Service's records", withSlices: true, objects);
                break;
            case [var host, var service, var ns, "svc"] when host.StartsWith('_'):
                AddService(ns + "/" + service, $"the ports of protocol {host}", withSlices: true, objects);
                break;
            case [var host, var service, var ns, "svc"]:
                AddService(ns + "/" + service, "the headless Service the endpoint belongs to", withSlices: false, objects);
                AddSlicesWithEndpoint(ns + "/" + service, endpoint => HostLabel(endpoint) == host, objects);
                break;
            case [var port, var protocol, var service, var ns, "svc"]:
                AddService(ns + "/" + service, $"the port {port} of protocol {protocol}", withSlices: true, objects);
                break;
            case [var dashed, var ns, "pod"]:
                FindPod(dashed, ns, objects, notes);
                break;
            default:
                notes.Add("not a name the Kubernetes DNS specification defines: the answer is NXDOMAIN (or the next plugin's, with fallthrough)");
                break;
        }
        if (objects.Count == 0 && notes.Count == 0)
        {
            notes.Add("no object holds this name now");
        }
        return (zone, objects, notes);
    }

    private void AddService(string key, string role, bool withSlices, List<AnswerSource> objects)
    {
        if (store.Service(key) is not { } service)
        {
            return;
        }
        objects.Add(new AnswerSource(ResourceKind.Service, key, role));
        if (withSlices && (service.IsHeadless || service.ClusterIPs.Count == 0) && service.ExternalName is null)
        {
            foreach (var sliceKey in store.SliceKeysOf(key))
            {
                objects.Add(new AnswerSource(ResourceKind.EndpointSlice, sliceKey, "endpoints of the headless Service"));
            }
        }
    }

    private void AddSlicesWithEndpoint(string serviceKey, Func<EndpointObject, bool> matches, List<AnswerSource> objects)
    {
        foreach (var sliceKey in store.SliceKeysOf(serviceKey))
        {
            if (store.Slice(sliceKey) is { } slice && slice.Endpoints.FirstOrDefault(matches) is { } endpoint)
            {
                objects.Add(new AnswerSource(ResourceKind.EndpointSlice, sliceKey, "endpoint " + Describe(endpoint)));
            }
        }
    }

    private void AddNamespace(string ns, List<AnswerSource> objects, List<string> notes)
    {
        if (store.Namespace(ns) is not null)
        {
            objects.Add(new AnswerSource(ResourceKind.Namespace, ns, "the namespace exists"));
        }
        int services = store.ServiceKeysIn(ns).Count();
        notes.Add($"{services} Service(s) in namespace {ns}; a namespace's name exists while it holds a Service or its object exists");
    }

    private void FindPod(string dashed, string ns, List<AnswerSource> objects, List<string> notes)
    {
        switch (options.Pods)
        {
            case PodsMode.Disabled:
                notes.Add("pods disabled: pod names are not answered");
                return;
            case PodsMode.Insecure:
                notes.Add("pods insecure: the address is read from the name itself; no object is consulted");
                return;
        }
        Span<byte> address = stackalloc byte[16];
        if (!ClusterNames.TryParseDashedIp(Encoding.ASCII.GetBytes(dashed), address, out int length))
        {
            notes.Add("the first label is not a dashed address: NXDOMAIN");
            return;
        }
        var asked = new IPAddress(address[..length]);
        foreach (var pod in store.PodsIn(ns))
        {
            if (pod.PodIPs.Contains(asked))
            {
                objects.Add(new AnswerSource(ResourceKind.Pod, pod.Key, "pods verified: a pod of the namespace has this address"));
            }
        }
    }

    /// <summary>PTR names: the Services whose cluster IP it is and the slices with an endpoint at that address.</summary>
    private void FindReverse(DnsName name, List<AnswerSource> objects, List<string> notes)
    {
        foreach (var service in store.PublishedServices())
        {
            if (service.ClusterIPs.Any(ip => ReverseNames.Of(ip) == name))
            {
                objects.Add(new AnswerSource(ResourceKind.Service, service.Key, "its cluster IP is this address"));
            }
        }
        foreach (var slice in store.Slices())
        {
            if (slice.Endpoints.FirstOrDefault(e => e.Addresses.Any(ip => ReverseNames.Of(ip) == name)) is { } endpoint)
            {
                objects.Add(new AnswerSource(ResourceKind.EndpointSlice, slice.Key, "endpoint " + Describe(endpoint)));
            }
        }
        if (objects.Count == 0)
        {
            notes.Add("no Service or endpoint has this address");
        }
    }

    /// <summary>The label an endpoint is named by: its hostname, else its dashed address.</summary>
    private static string? HostLabel(EndpointObject endpoint) =>
        endpoint.Hostname?.ToLowerInvariant() ?? (endpoint.Addresses.Count > 0 ? ClusterNames.DashedIp(endpoint.Addresses[0]) : null);

    private static string Describe(EndpointObject endpoint)
    {
        var text = new StringBuilder(string.Join(",", endpoint.Addresses.Select(a => a.ToString())));
        if (endpoint.Hostname is { } hostname)
        {
            text.Append(" hostname ").Append(hostname);
        }
        if (endpoint.TargetPodName is { } pod)
        {
            text.Append(" pod ").Append(pod);
        }
        if (!endpoint.Ready)
        {
            text.Append(" (not ready)");
        }
        return text.ToString();
    }
}
