using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Plugins.Kubernetes;

namespace ClusterDns.Server.Tests.Plugins.Kubernetes;

/// <summary>When lameduck may end: this replica's address as an endpoint of the nameserver Service.</summary>
public sealed class ReplicaRotationTests
{
    private static readonly IPAddress Self = IPAddress.Parse("10.244.1.5");

    private static EndpointSliceObject Slice(string name, params (string Address, bool Ready)[] endpoints) => new()
    {
        Namespace = "kube-system",
        Name = name,
        ServiceName = "kube-dns",
        AddressType = "IPv4",
        Endpoints = endpoints.Select(e => new EndpointObject { Addresses = [IPAddress.Parse(e.Address)], Ready = e.Ready }).ToArray(),
    };

    private static ReplicaRotation Rotation() => new(Self, "kube-system/kube-dns");

    [Fact]
    public void A_replica_that_never_saw_itself_does_not_know_itself()
    {
        var rotation = Rotation();
        rotation.Observe([Slice("a", ("10.244.0.9", true))]);
        rotation.Observe([]);
        Assert.False(rotation.KnowsItself);
        Assert.False(rotation.WaitUntilOutOfRotationAsync(CancellationToken.None).IsCompleted);
        Assert.Equal("10.244.1.5 in kube-system/kube-dns", rotation.Description);
    }

    [Theory]
    [InlineData("not ready (terminating)")]
    [InlineData("removed from its slice")]
    [InlineData("slice deleted")]
    public async Task Leaving_rotation_ends_the_wait(string how)
    {
        var rotation = Rotation();
        rotation.Observe([Slice("a", ("10.244.0.9", true)), Slice("b", ("10.244.1.5", true))]);
        Assert.True(rotation.KnowsItself);
        var wait = rotation.WaitUntilOutOfRotationAsync(CancellationToken.None);
        Assert.False(wait.IsCompleted);

        rotation.Observe(how switch
        {
            "not ready (terminating)" => [Slice("a", ("10.244.0.9", true)), Slice("b", ("10.244.1.5", false))],
            "removed from its slice" => [Slice("a", ("10.244.0.9", true)), Slice("b")],
            _ => [Slice("a", ("10.244.0.9", true))],
        });

        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(rotation.WaitUntilOutOfRotationAsync(CancellationToken.None).IsCompleted, "a wait begun after leaving ends at once");
    }

    [Fact]
    public void Coming_back_into_rotation_starts_a_new_wait()
    {
        var rotation = Rotation();
        rotation.Observe([Slice("a", ("10.244.1.5", true))]);
        rotation.Observe([Slice("a", ("10.244.1.5", false))]);
        Assert.True(rotation.WaitUntilOutOfRotationAsync(CancellationToken.None).IsCompleted);

        // A readiness blip before SIGTERM must not end a later lameduck early.
        rotation.Observe([Slice("a", ("10.244.1.5", true))]);
        Assert.False(rotation.WaitUntilOutOfRotationAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task The_wait_is_cancelled_by_its_bound()
    {
        var rotation = Rotation();
        rotation.Observe([Slice("a", ("10.244.1.5", true))]);
        using var bound = new CancellationTokenSource();
        var wait = rotation.WaitUntilOutOfRotationAsync(bound.Token);
        await bound.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Theory]
    [InlineData("10.244.1.5", true)]
    [InlineData(" 10.244.1.5", false)]
    [InlineData("fd00::15", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void The_address_comes_from_POD_IP(string? value, bool found)
    {
        var address = ReplicaRotation.AddressFromEnvironment(name => name == "POD_IP" ? value : null);
        Assert.Equal(found, address is not null);
    }
}
