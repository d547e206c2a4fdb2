namespace ClusterDns.Server.Config;

/// <summary>
/// Tells the host when this replica has left the rotation of the Service that sends it queries, so that lameduck
/// ends when the traffic has moved instead of after a fixed sleep. The kubernetes plugin provides it from the
/// replica's own address in the nameserver Service's EndpointSlices.
/// </summary>
public interface IRotationSignal
{
    /// <summary>True once the replica has seen its own address as a ready endpoint; until then lameduck is a fixed wait.</summary>
    bool KnowsItself { get; }

    /// <summary>The address and Service watched, for log lines ("10.244.1.5 in kube-system/kube-dns").</summary>
    string Description { get; }

    /// <summary>Completes when the address is no longer a ready endpoint (removed, or terminating); at once if it already is not.</summary>
    Task WaitUntilOutOfRotationAsync(CancellationToken cancellationToken);
}
