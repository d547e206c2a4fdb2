namespace ClusterDns.Kubernetes.Tests.Connection;

/// <summary>A kubeconfig with one context, "main": cluster "test" at a server, user "me".</summary>
internal static class KubeConfigText
{
    /// <param name="clusterLines">fields under <c>cluster:</c> besides the server, each line indented by four spaces.</param>
    /// <param name="userLines">fields under <c>user:</c>, each line indented by four spaces.</param>
    public static string OneContext(Uri server, string clusterLines, string userLines) => $"""
        apiVersion: v1
        kind: Config
        current-context: main
        contexts:
        - name: main
          context: {"{"}cluster: test, user: me{"}"}
        clusters:
        - name: test
          cluster:
            server: {server}
        {clusterLines}
        users:
        - name: me
          user:
        {userLines}
        """;
}
