using System.Text.Json;
using ClusterDns.Kubernetes.Conversion;

namespace ClusterDns.Kubernetes.Tests.Conversion;

public sealed class ObjectConverterTests
{
    [Theory]
    [InlineData(ResourceKind.Service, """{"metadata":{"name":"s"},"spec":{"clusterIPs":"10.0.0.1","ports":{"port":80}}}""")]
    [InlineData(ResourceKind.Service, """{"metadata":{"name":"s"},"spec":[1,2,3]}""")]
    [InlineData(ResourceKind.EndpointSlice, """{"metadata":{"name":"e"},"endpoints":[1,"x",null,{"addresses":[null],"conditions":7}]}""")]
    [InlineData(ResourceKind.Pod, """{"metadata":{"name":"p"},"status":{"podIPs":[{"ip":5},"x"]}}""")]
    [InlineData(ResourceKind.Namespace, """{"metadata":{"name":"n","labels":[1]}}""")]
    [InlineData(ResourceKind.Service, """{"metadata":"nope"}""")]
    [InlineData(ResourceKind.Pod, """[]""")]
    public void MistypedFieldsNeverThrow(ResourceKind kind, string json)
    {
        using var document = JsonDocument.Parse(json);

        var converted = ObjectConverter.TryConvert(kind, document.RootElement, out _, out var error);

        Assert.True(converted || error.Length > 0);
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"s"},"spec":{"type":"Weird"}}""", "unknown spec.type \"Weird\"")]
    [InlineData("""{"metadata":{"name":"s"},"spec":{"type":"ExternalName"}}""", "type ExternalName without spec.externalName")]
    [InlineData("""{"metadata":{"name":"s"},"spec":{"ports":[{"port":70000}]}}""", "port 70000 is not a number in 1-65535")]
    [InlineData("""{"metadata":{"name":"s"},"spec":{"ports":[{"port":53,"protocol":"ICMP"}]}}""", "unknown protocol \"ICMP\"")]
    [InlineData("""{"metadata":{"namespace":"x"}}""", "metadata.name is missing")]
    public void InvalidServicesAreErrorsNamingTheProblem(string json, string expected)
    {
        using var document = JsonDocument.Parse(json);

        Assert.False(ObjectConverter.TryConvert(ResourceKind.Service, document.RootElement, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void RepeatedFieldsOfDifferentObjectsShareOneInstance()
    {
        // Thousands of Services in one namespace with the same ports must not each hold copies of them.
        ServiceObject Convert(string name)
        {
            using var document = JsonDocument.Parse($$$"""{"metadata":{"name":"{{{name}}}","namespace":"shop","labels":{"tier":"web"}},"spec":{"clusterIP":"10.0.0.1","ports":[{"name":"http","port":80}]}}""");
            Assert.True(ObjectConverter.TryConvert(ResourceKind.Service, document.RootElement, out var converted, out _));
            return (ServiceObject)converted.Object;
        }

        var first = Convert("a");
        var second = Convert("b");

        Assert.Same(first.Namespace, second.Namespace);
        Assert.Same(first.Type, second.Type);
        Assert.Same(first.Ports[0], second.Ports[0]);
        Assert.Same(first.Labels.Keys.Single(), second.Labels.Keys.Single());
        Assert.NotSame(first.Name, second.Name);
    }

    [Fact]
    public void ObjectsWithoutNamespaceAreInDefault()
    {
        using var document = JsonDocument.Parse("""{"metadata":{"name":"s"},"spec":{"clusterIP":"10.0.0.1"}}""");

        Assert.True(ObjectConverter.TryConvert(ResourceKind.Service, document.RootElement, out var converted, out _));
        Assert.Equal("default/s", converted.Key);
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"s"},"spec":{"clusterIP":"None","selector":{"app":"db"}}}""", true)]
    [InlineData("""{"metadata":{"name":"s"},"spec":{"clusterIP":"None","selector":{}}}""", false)]
    [InlineData("""{"metadata":{"name":"s"},"spec":{"clusterIP":"None"}}""", false)]
    public void ServicesSayWhetherTheyHaveASelector(string json, bool expected)
    {
        using var document = JsonDocument.Parse(json);

        Assert.True(ObjectConverter.TryConvert(ResourceKind.Service, document.RootElement, out var converted, out _));
        Assert.Equal(expected, ((ServiceObject)converted.Object).HasSelector);
    }

    [Fact]
    public void SlicesCarryTheirLastChangeTriggerTime()
    {
        using var document = JsonDocument.Parse("""{"metadata":{"name":"e","namespace":"a","annotations":{"endpoints.kubernetes.io/last-change-trigger-time":"2026-11-22T06:00:01Z"}},"addressType":"IPv4","endpoints":[]}""");

        Assert.True(ObjectConverter.TryConvert(ResourceKind.EndpointSlice, document.RootElement, out var converted, out _));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 6, 0, 1, TimeSpan.Zero), ((EndpointSliceObject)converted.Object).LastChangeTriggerTime);
    }
}
