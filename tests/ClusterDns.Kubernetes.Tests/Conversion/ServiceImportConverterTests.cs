using System.Text.Json;
using ClusterDns.Kubernetes.Conversion;

namespace ClusterDns.Kubernetes.Tests.Conversion;

/// <summary>multicluster.x-k8s.io/v1alpha1 ServiceImport conversion: bad objects are errors naming the problem, never exceptions.</summary>
public sealed class ServiceImportConverterTests
{
    [Theory]
    [InlineData("""{"metadata":{"name":"s","namespace":"n"},"spec":{"type":"LoadBalancer"}}""", "unknown spec.type \"LoadBalancer\"")]
    [InlineData("""{"metadata":{"name":"s"},"spec":{"ips":["10.0.0.300"]}}""", "spec.ips has an invalid IP address \"10.0.0.300\"")]
    [InlineData("""{"metadata":{"name":"s"},"spec":{"ports":[{"port":0}]}}""", "port 0 is not a number in 1-65535")]
    [InlineData("""{"metadata":{"namespace":"x"},"spec":{}}""", "metadata.name is missing")]
    public void Invalid_imports_are_errors_naming_the_problem(string json, string expected)
    {
        using var document = JsonDocument.Parse(json);

        Assert.False(ObjectConverter.TryConvert(ResourceKind.ServiceImport, document.RootElement, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"s"},"spec":{"ips":"10.0.0.1","ports":{"port":80}}}""")]
    [InlineData("""{"metadata":{"name":"s"},"spec":[1]}""")]
    [InlineData("""{"metadata":{"name":"s"},"spec":{"ips":[null,7]}}""")]
    public void Mistyped_fields_never_throw(string json)
    {
        using var document = JsonDocument.Parse(json);

        var converted = ObjectConverter.TryConvert(ResourceKind.ServiceImport, document.RootElement, out _, out var error);

        Assert.True(converted || error.Length > 0);
    }

    [Fact]
    public void A_headless_import_has_no_ips_and_the_namespace_defaults()
    {
        using var document = JsonDocument.Parse("""{"metadata":{"name":"db"},"spec":{"type":"Headless","ips":["10.0.0.1"]}}""");

        Assert.True(ObjectConverter.TryConvert(ResourceKind.ServiceImport, document.RootElement, out var converted, out _));
        var import = Assert.IsType<ServiceImportObject>(converted.Object);
        Assert.Equal(("default/db", true), (converted.Key, import.IsHeadless));
        Assert.Empty(import.Ips);
    }

    [Fact]
    public void A_manifest_slice_with_only_the_multicluster_label_is_an_imports()
    {
        using var document = JsonDocument.Parse("""{"metadata":{"name":"x","namespace":"n","labels":{"multicluster.kubernetes.io/service-name":"db","multicluster.kubernetes.io/source-cluster":"c1"}},"addressType":"IPv4"}""");
        var type = ObjectConverter.Classify("discovery.k8s.io/v1", "EndpointSlice")!.Value;

        Assert.True(ObjectConverter.TryConvert(type, document.RootElement, out var converted, out _));
        Assert.Equal(ResourceKind.MulticlusterEndpointSlice, converted.Kind);
        Assert.Equal("c1", Assert.IsType<EndpointSliceObject>(converted.Object).SourceCluster);
    }
}
