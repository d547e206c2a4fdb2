using System.Net;
using System.Text.Json;
using static ClusterDns.Kubernetes.Conversion.JsonFields;

namespace ClusterDns.Kubernetes.Conversion;

/// <summary>
/// multicluster.x-k8s.io/v1alpha1 ServiceImport → <see cref="ServiceImportObject"/>: spec.type (ClusterSetIP or
/// Headless), spec.ips, spec.ports. Failures are values, as in <see cref="ObjectConverter"/>.
/// </summary>
internal static class ServiceImportConverter
{
    public static bool TryConvert(JsonElement obj, out ConvertedObject converted, out string error)
    {
        converted = default;
        if (!ObjectConverter.TryReadMetadata(obj, out var name, out var ns, out var rv, out error)) return false;

        var spec = Get(obj, "spec") ?? default;
        var type = GetString(spec, "type") is { Length: > 0 } t ? t : "ClusterSetIP";
        if (type is not ("ClusterSetIP" or "Headless"))
        {
            error = $"serviceimport {ns}/{name}: unknown spec.type \"{type}\"";
            return false;
        }

        var ips = new List<IPAddress>();
        foreach (var ip in Array(spec, "ips"))
        {
            var text = ScalarText(ip);
            if (!IPAddressParser.TryParse(text, out var address))
            {
                error = $"serviceimport {ns}/{name}: spec.ips has an invalid IP address \"{text}\"";
                return false;
            }
            ips.Add(address);
        }

        if (!ObjectConverter.TryReadPorts(spec, allowMissingPort: false, out var ports, out var portError))
        {
            error = $"serviceimport {ns}/{name}: {portError}";
            return false;
        }

        bool headless = type == "Headless";
        converted = new ConvertedObject(ResourceKind.ServiceImport, ns + "/" + name, rv, new ServiceImportObject
        {
            Namespace = ns,
            Name = name,
            IsHeadless = headless,
            Ips = headless || ips.Count == 0 ? [] : ips.ToArray(),
            Ports = ports,
            ResourceVersion = rv,
        });
        return true;
    }
}
