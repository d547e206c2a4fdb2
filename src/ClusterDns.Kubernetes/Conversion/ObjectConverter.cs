using System.Net;
using System.Text.Json;
using static ClusterDns.Kubernetes.Conversion.JsonFields;

namespace ClusterDns.Kubernetes.Conversion;

/// <summary>
/// Converts Kubernetes JSON objects into the slim models. Failures are values (an error message), never
/// exceptions: a bad object from a file or the API server is skipped, not fatal.
/// </summary>
internal static class ObjectConverter
{
    public const string DefaultNamespace = "default";
    private const string ServiceNameLabel = "kubernetes.io/service-name";
    private const string SourceClusterLabel = "multicluster.kubernetes.io/source-cluster";

    /// <summary>Which resource a top-level object is, from apiVersion and kind; null for kinds we ignore.</summary>
    public static ObjectType? Classify(string? apiVersion, string? kind) => (apiVersion, kind) switch
    {
        ("v1", "Service") => ObjectType.Service,
        ("discovery.k8s.io/v1", "EndpointSlice") => ObjectType.EndpointSlice,
        ("v1", "Endpoints") => ObjectType.Endpoints,
        ("v1", "Pod") => ObjectType.Pod,
        ("v1", "Namespace") => ObjectType.Namespace,
        ("multicluster.x-k8s.io/v1alpha1", "ServiceImport") => ObjectType.ServiceImport,
        _ => null,
    };

    public static bool TryConvert(ObjectType type, JsonElement obj, out ConvertedObject converted, out string error) =>
        type switch
        {
            ObjectType.Service => TryConvertService(obj, out converted, out error),
            ObjectType.EndpointSlice => TryConvertEndpointSlice(obj, IsMulticlusterSlice(obj), out converted, out error),
            ObjectType.Endpoints => TryConvertEndpoints(obj, out converted, out error),
            ObjectType.Pod => TryConvertPod(obj, out converted, out error),
            ObjectType.ServiceImport => ServiceImportConverter.TryConvert(obj, out converted, out error),
            ObjectType.MulticlusterEndpointSlice => TryConvertEndpointSlice(obj, multicluster: true, out converted, out error),
            _ => TryConvertNamespace(obj, out converted, out error),
        };

    public static bool TryConvert(ResourceKind kind, JsonElement obj, out ConvertedObject converted, out string error) =>
        TryConvert(kind switch
        {
            ResourceKind.Service => ObjectType.Service,
            ResourceKind.EndpointSlice => ObjectType.EndpointSlice,
            ResourceKind.Pod => ObjectType.Pod,
            ResourceKind.ServiceImport => ObjectType.ServiceImport,
            ResourceKind.MulticlusterEndpointSlice => ObjectType.MulticlusterEndpointSlice,
            _ => ObjectType.Namespace,
        }, obj, out converted, out error);

    /// <summary>The "ns/name" key of an API object, for deletes whose object need not convert.</summary>
    public static string? KeyOf(ResourceKind kind, JsonElement obj)
    {
        var name = GetString(obj, "metadata", "name");
        if (string.IsNullOrEmpty(name)) return null;
        return kind == ResourceKind.Namespace ? name : NamespaceOf(obj) + "/" + name;
    }

    public static string? ResourceVersionOf(JsonElement obj) => GetString(obj, "metadata", "resourceVersion");

    private static string? GetString(JsonElement obj, string outer, string inner) =>
        Get(obj, outer) is { } o ? JsonFields.GetString(o, inner) : null;

    private static string NamespaceOf(JsonElement obj) =>
        GetString(obj, "metadata", "namespace") is { Length: > 0 } ns ? SharedStrings.Share(ns)! : DefaultNamespace;

    internal static bool TryReadMetadata(JsonElement obj, out string name, out string ns, out string resourceVersion, out string error)
    {
        name = GetString(obj, "metadata", "name") ?? "";
        ns = NamespaceOf(obj);
        resourceVersion = GetString(obj, "metadata", "resourceVersion") ?? "";
        error = name.Length == 0 ? "metadata.name is missing" : "";
        return name.Length > 0;
    }

    private static bool TryConvertService(JsonElement obj, out ConvertedObject converted, out string error)
    {
        converted = default;
        if (!TryReadMetadata(obj, out var name, out var ns, out var rv, out error)) return false;

        var spec = Get(obj, "spec") ?? default;
        var type = JsonFields.GetString(spec, "type") is { Length: > 0 } t ? t : "ClusterIP";
        if (type is not ("ClusterIP" or "NodePort" or "LoadBalancer" or "ExternalName"))
        {
            error = $"service {ns}/{name}: unknown spec.type \"{type}\"";
            return false;
        }

        var headless = false;
        var clusterIPs = new List<IPAddress>();
        var ipTexts = new List<string>();
        if (HasArray(spec, "clusterIPs"))
        {
            foreach (var ip in Array(spec, "clusterIPs")) ipTexts.Add(ScalarText(ip) ?? "");
        }
        else if (JsonFields.GetString(spec, "clusterIP") is { Length: > 0 } single)
        {
            ipTexts.Add(single);
        }

        foreach (var text in ipTexts)
        {
            if (text == "None")
            {
                headless = true;
            }
            else if (IPAddressParser.TryParse(text, out var address))
            {
                clusterIPs.Add(address);
            }
            else
            {
                error = $"service {ns}/{name}: spec.clusterIPs has an invalid IP address \"{text}\"";
                return false;
            }
        }

        if (headless || type == "ExternalName") clusterIPs.Clear();

        string? externalName = null;
        if (type == "ExternalName")
        {
            externalName = JsonFields.GetString(spec, "externalName");
            if (string.IsNullOrEmpty(externalName))
            {
                error = $"service {ns}/{name}: type ExternalName without spec.externalName";
                return false;
            }
        }

        if (!TryReadPorts(spec, allowMissingPort: false, out var ports, out var portError))
        {
            error = $"service {ns}/{name}: {portError}";
            return false;
        }

        var (externalIPs, ingressHostnames) = ReadExternalAddresses(obj, spec);
        converted = new ConvertedObject(ResourceKind.Service, ns + "/" + name, rv, new ServiceObject
        {
            Namespace = ns,
            Name = name,
            Type = SharedStrings.Share(type)!,
            IsHeadless = headless,
            ClusterIPs = clusterIPs.Count == 0 ? [] : clusterIPs.ToArray(),
            ExternalName = externalName,
            ExternalIPs = externalIPs,
            IngressHostnames = ingressHostnames,
            Ports = ports,
            PublishNotReadyAddresses = GetBool(spec, "publishNotReadyAddresses") ?? false,
            HasSelector = Get(spec, "selector") is { ValueKind: JsonValueKind.Object } selector && selector.EnumerateObject().Any(),
            Labels = ReadLabels(obj),
            ResourceVersion = rv,
        });
        return true;
    }

    /// <summary>
    /// spec.externalIPs and status.loadBalancer.ingress (an IP, else a hostname), as CoreDNS's Service object joins
    /// them. An entry that is not an address is skipped rather than failing the Service: the cluster names of the
    /// Service do not depend on it, and the API server validates these fields anyway.
    /// </summary>
    private static (IReadOnlyList<IPAddress> Addresses, IReadOnlyList<string> Hostnames) ReadExternalAddresses(JsonElement obj, JsonElement spec)
    {
        List<IPAddress>? addresses = null;
        List<string>? hostnames = null;
        foreach (var entry in Array(spec, "externalIPs"))
        {
            AddAddress(ScalarText(entry), ref addresses);
        }
        if (Get(obj, "status", "loadBalancer") is { } loadBalancer)
        {
            foreach (var ingress in Array(loadBalancer, "ingress"))
            {
                if (JsonFields.GetString(ingress, "ip") is { Length: > 0 } ip)
                {
                    AddAddress(ip, ref addresses);
                }
                else if (JsonFields.GetString(ingress, "hostname") is { Length: > 0 } hostname)
                {
                    hostnames ??= new List<string>();
                    if (!hostnames.Contains(hostname, StringComparer.OrdinalIgnoreCase))
                    {
                        hostnames.Add(hostname);
                    }
                }
            }
        }
        return (addresses is null ? [] : addresses.ToArray(), hostnames is null ? [] : hostnames.ToArray());

        static void AddAddress(string? text, ref List<IPAddress>? list)
        {
            if (IPAddressParser.TryParse(text, out var address))
            {
                list ??= new List<IPAddress>();
                if (!list.Contains(address))
                {
                    list.Add(address);
                }
            }
        }
    }

    /// <summary>
    /// A manifest's slice with the multicluster service-name label and no cluster one belongs to a ServiceImport
    /// (from the API server, the multicluster informer's selector decides instead).
    /// </summary>
    private static bool IsMulticlusterSlice(JsonElement obj)
    {
        var labels = ReadLabels(obj);
        return labels.ContainsKey(Api.ResourcePaths.MulticlusterServiceNameLabel) && !labels.ContainsKey(ServiceNameLabel);
    }

    private static bool TryConvertEndpointSlice(JsonElement obj, bool multicluster, out ConvertedObject converted, out string error)
    {
        converted = default;
        if (!TryReadMetadata(obj, out var name, out var ns, out var rv, out error)) return false;

        var addressType = JsonFields.GetString(obj, "addressType") ?? "IPv4";
        if (addressType is not ("IPv4" or "IPv6" or "FQDN"))
        {
            error = $"endpointslice {ns}/{name}: unknown addressType \"{addressType}\"";
            return false;
        }
        addressType = SharedStrings.Share(addressType)!;

        var endpoints = new List<EndpointObject>();
        foreach (var endpoint in Array(obj, "endpoints"))
        {
            var addresses = new List<IPAddress>();
            foreach (var a in Array(endpoint, "addresses"))
            {
                var text = ScalarText(a);
                if (addressType == "FQDN") continue; // FQDN slices carry names, not IPs; nothing to serve from them.
                if (!IPAddressParser.TryParse(text, out var address))
                {
                    error = $"endpointslice {ns}/{name}: invalid endpoint address \"{text}\"";
                    return false;
                }

                addresses.Add(address);
            }

            var targetRef = Get(endpoint, "targetRef");
            endpoints.Add(new EndpointObject
            {
                Addresses = addresses.ToArray(),
                Ready = (Get(endpoint, "conditions") is { } conditions ? GetBool(conditions, "ready") : null) ?? true,
                Hostname = NullIfEmpty(JsonFields.GetString(endpoint, "hostname")),
                TargetPodName = TargetPodName(targetRef),
                NodeName = SharedStrings.Share(NullIfEmpty(JsonFields.GetString(endpoint, "nodeName"))),
            });
        }

        if (!TryReadPorts(obj, allowMissingPort: true, out var ports, out var portError))
        {
            error = $"endpointslice {ns}/{name}: {portError}";
            return false;
        }

        var labels = ReadLabels(obj);
        var serviceLabel = multicluster ? Api.ResourcePaths.MulticlusterServiceNameLabel : ServiceNameLabel;
        converted = new ConvertedObject(multicluster ? ResourceKind.MulticlusterEndpointSlice : ResourceKind.EndpointSlice, ns + "/" + name, rv, new EndpointSliceObject
        {
            Namespace = ns,
            Name = name,
            ServiceName = labels.TryGetValue(serviceLabel, out var service) ? service : null,
            SourceCluster = multicluster && labels.TryGetValue(SourceClusterLabel, out var cluster) ? cluster : null,
            AddressType = addressType,
            Endpoints = endpoints.ToArray(),
            Ports = ports,
            ResourceVersion = rv,
            LastChangeTriggerTime = LastChangeTriggerTime(obj),
        });
        return true;
    }

    /// <summary>
    /// The endpoints controller's <c>endpoints.kubernetes.io/last-change-trigger-time</c> annotation: when the
    /// change that produced this slice happened (what DNS programming latency is measured from).
    /// </summary>
    private static DateTimeOffset? LastChangeTriggerTime(JsonElement obj) =>
        Get(obj, "metadata", "annotations") is { ValueKind: JsonValueKind.Object } annotations
        && JsonFields.GetString(annotations, "endpoints.kubernetes.io/last-change-trigger-time") is { } text
        && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;

    /// <summary>A legacy v1 Endpoints object becomes one slice named "endpoints:NAME" for the Service NAME.</summary>
    private static bool TryConvertEndpoints(JsonElement obj, out ConvertedObject converted, out string error)
    {
        converted = default;
        if (!TryReadMetadata(obj, out var name, out var ns, out var rv, out error)) return false;

        var endpoints = new List<EndpointObject>();
        var ports = new List<ServicePort>();
        string? addressType = null;
        foreach (var subset in Array(obj, "subsets"))
        {
            foreach (var (field, ready) in new[] { ("addresses", true), ("notReadyAddresses", false) })
            {
                foreach (var address in Array(subset, field))
                {
                    var text = JsonFields.GetString(address, "ip");
                    if (!IPAddressParser.TryParse(text, out var ip))
                    {
                        error = $"endpoints {ns}/{name}: invalid address \"{text}\"";
                        return false;
                    }

                    addressType ??= ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
                    endpoints.Add(new EndpointObject
                    {
                        Addresses = [ip],
                        Ready = ready,
                        Hostname = NullIfEmpty(JsonFields.GetString(address, "hostname")),
                        TargetPodName = TargetPodName(Get(address, "targetRef")),
                        NodeName = SharedStrings.Share(NullIfEmpty(JsonFields.GetString(address, "nodeName"))),
                    });
                }
            }

            if (!TryReadPorts(subset, allowMissingPort: false, out var subsetPorts, out var portError))
            {
                error = $"endpoints {ns}/{name}: {portError}";
                return false;
            }

            foreach (var port in subsetPorts)
            {
                if (!ports.Contains(port)) ports.Add(port);
            }
        }

        var sliceName = "endpoints:" + name;
        converted = new ConvertedObject(ResourceKind.EndpointSlice, ns + "/" + sliceName, rv, new EndpointSliceObject
        {
            Namespace = ns,
            Name = sliceName,
            ServiceName = name,
            AddressType = addressType ?? "IPv4",
            Endpoints = endpoints.ToArray(),
            Ports = ports,
            ResourceVersion = rv,
        });
        return true;
    }

    private static bool TryConvertPod(JsonElement obj, out ConvertedObject converted, out string error)
    {
        converted = default;
        if (!TryReadMetadata(obj, out var name, out var ns, out var rv, out error)) return false;

        var status = Get(obj, "status") ?? default;
        var texts = new List<string?>();
        if (HasArray(status, "podIPs"))
        {
            foreach (var entry in Array(status, "podIPs")) texts.Add(JsonFields.GetString(entry, "ip"));
        }
        else if (JsonFields.GetString(status, "podIP") is { Length: > 0 } single)
        {
            texts.Add(single);
        }

        var ips = new List<IPAddress>();
        foreach (var text in texts)
        {
            if (!IPAddressParser.TryParse(text, out var ip))
            {
                error = $"pod {ns}/{name}: invalid pod IP \"{text}\"";
                return false;
            }

            ips.Add(ip);
        }

        converted = new ConvertedObject(ResourceKind.Pod, ns + "/" + name, rv, new PodObject
        {
            Namespace = ns,
            Name = name,
            PodIPs = ips.ToArray(), // exact size: `pods verified` keeps every pod (a List's spare slots cost ~60 bytes each)
            Phase = SharedStrings.Share(NullIfEmpty(JsonFields.GetString(status, "phase"))),
            ResourceVersion = rv,
        });
        return true;
    }

    private static bool TryConvertNamespace(JsonElement obj, out ConvertedObject converted, out string error)
    {
        converted = default;
        var name = GetString(obj, "metadata", "name") ?? "";
        if (name.Length == 0)
        {
            error = "metadata.name is missing";
            return false;
        }

        error = "";
        var rv = GetString(obj, "metadata", "resourceVersion") ?? "";
        converted = new ConvertedObject(ResourceKind.Namespace, name, rv, new NamespaceObject
        {
            Name = name,
            Labels = ReadLabels(obj),
            ResourceVersion = rv,
        });
        return true;
    }

    internal static bool TryReadPorts(JsonElement owner, bool allowMissingPort, out IReadOnlyList<ServicePort> ports, out string error)
    {
        var list = new List<ServicePort>();
        ports = list;
        error = "";
        foreach (var port in Array(owner, "ports"))
        {
            var number = GetInteger(port, "port");
            if (number is null && allowMissingPort) continue; // A slice port without a number means "all ports".
            if (number is not (>= 1 and <= 65535))
            {
                error = $"port {JsonFields.GetString(port, "port") ?? "(missing)"} is not a number in 1-65535";
                return false;
            }

            var protocol = (JsonFields.GetString(port, "protocol") is { Length: > 0 } p ? p : "TCP").ToUpperInvariant();
            if (protocol is not ("TCP" or "UDP" or "SCTP"))
            {
                error = $"port {number} has unknown protocol \"{protocol}\"";
                return false;
            }

            list.Add(SharedStrings.Share(new ServicePort(SharedStrings.Share(NullIfEmpty(JsonFields.GetString(port, "name"))), SharedStrings.Share(protocol)!, (int)number.Value)));
        }

        ports = list.Count == 0 ? [] : list.ToArray();
        return true;
    }

    private static IReadOnlyDictionary<string, string> ReadLabels(JsonElement obj)
    {
        if (Get(obj, "metadata", "labels") is not { ValueKind: JsonValueKind.Object } labels) return EmptyLabels.Instance;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels.EnumerateObject())
        {
            result[SharedStrings.Share(label.Name)!] = ScalarText(label.Value) ?? "";
        }

        return result;
    }

    private static string? TargetPodName(JsonElement? targetRef) =>
        targetRef is { } t && JsonFields.GetString(t, "kind") == "Pod" ? NullIfEmpty(JsonFields.GetString(t, "name")) : null;

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
