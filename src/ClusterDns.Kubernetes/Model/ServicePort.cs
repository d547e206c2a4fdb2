namespace ClusterDns.Kubernetes;

/// <summary>A port of a Service or EndpointSlice. Protocol is upper case: TCP, UDP or SCTP.</summary>
public sealed record ServicePort(string? Name, string Protocol, int Port);
