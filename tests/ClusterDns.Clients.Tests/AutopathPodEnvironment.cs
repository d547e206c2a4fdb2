namespace ClusterDns.Clients.Tests;

/// <summary>
/// <see cref="PodEnvironment"/> with <c>autopath @kubernetes</c> and <c>pods verified</c>, and a running pod of
/// namespace default whose address is the test pod's own (<see cref="PodNetwork.DnsAddress"/>: the client's
/// queries to the server leave from it), so the server finds the pod by the source address of each query.
/// </summary>
public sealed class AutopathPodEnvironment : PodEnvironment
{
    protected override string CorefileName => "Corefile.autopath";

    protected override void AddManifests(string directory) =>
        File.WriteAllText(Path.Combine(directory, "autopath-client.yaml"), $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: client, namespace: default, resourceVersion: "950"}
            status:
              phase: Running
              podIP: {{PodNetwork.DnsAddress}}
              podIPs:
              - {ip: {{PodNetwork.DnsAddress}}}

            """);
}
