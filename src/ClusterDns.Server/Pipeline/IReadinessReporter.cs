namespace ClusterDns.Server.Pipeline;

/// <summary>A handler that may not be ready to answer yet (the kubernetes informers before their first list).</summary>
public interface IReadinessReporter
{
    string Name { get; }

    bool IsReady { get; }

    /// <summary>Why it is not ready, printed by /ready after the name ("EndpointSlice watch down for 45s"); null for none.</summary>
    string? NotReadyReason => null;
}
