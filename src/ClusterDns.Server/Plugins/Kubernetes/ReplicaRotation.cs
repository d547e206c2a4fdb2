using System.Net;
using ClusterDns.Kubernetes;
using ClusterDns.Server.Config;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary>
/// Whether this replica's own address (POD_IP) is a ready endpoint of the nameserver Service, followed from the
/// EndpointSlices the zone already watches. Kubernetes marks a deleted pod's endpoint not ready (terminating) and
/// kube-proxy then stops sending it traffic: that, not a fixed sleep, is when lameduck can end.
/// </summary>
public sealed class ReplicaRotation : IRotationSignal
{
    private readonly IPAddress _self;
    private readonly Lock _gate = new();
    private TaskCompletionSource _outOfRotation = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _seen;

    public ReplicaRotation(IPAddress self, string service)
    {
        _self = self;
        Description = $"{self} in {service}";
    }

    /// <summary>The replica's address from the POD_IP variable (the downward API's status.podIP), or null.</summary>
    public static IPAddress? AddressFromEnvironment(Func<string, string?> environment) =>
        IPAddress.TryParse(environment("POD_IP"), out var address) ? address : null;

    public string Description { get; }

    public bool KnowsItself
    {
        get
        {
            lock (_gate)
            {
                return _seen;
            }
        }
    }

    /// <summary>Called with every slice of the Service after one of them changed (the zone's writer thread).</summary>
    public void Observe(IReadOnlyList<EndpointSliceObject> slices)
    {
        bool ready = slices.Any(slice => slice.Endpoints.Any(e => e.Ready && e.Addresses.Any(a => a.Equals(_self))));
        lock (_gate)
        {
            if (ready)
            {
                _seen = true;
                if (_outOfRotation.Task.IsCompleted)
                {
                    // Back in rotation (a readiness blip): the next departure is a new one.
                    _outOfRotation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
            else if (_seen)
            {
                _outOfRotation.TrySetResult();
            }
        }
    }

    public Task WaitUntilOutOfRotationAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _outOfRotation.Task.WaitAsync(cancellationToken);
        }
    }
}
