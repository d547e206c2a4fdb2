using System.CommandLine;
using ClusterDns.Corefile;

namespace ClusterDns.Migration;

/// <summary>
/// <c>clusterdns corefile --from-kube-dns CONFIGMAP.yaml [--cluster-domain cluster.local]</c>: prints the Corefile
/// that replaces a kube-dns ConfigMap. Exit codes: 0 written, 1 the ConfigMap cannot be translated, 2 bad arguments.
/// </summary>
internal static class CorefileCommand
{
    public static Command Build()
    {
        var fromKubeDns = new Option<string>("--from-kube-dns")
        {
            Description = "A kube-dns ConfigMap in YAML (kubectl get configmap kube-dns -n kube-system -o yaml)",
            Required = true,
        };
        var clusterDomain = new Option<string>("--cluster-domain")
        {
            Description = "The cluster domain kube-dns served (its --domain flag)",
            DefaultValueFactory = _ => "cluster.local",
        };
        var command = new Command("corefile", "Translate another cluster DNS server's configuration into a Corefile and print it") { fromKubeDns, clusterDomain };
        command.SetAction(result => Run(
            result.GetRequiredValue(fromKubeDns),
            result.GetRequiredValue(clusterDomain),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        return command;
    }

    internal static int Run(string configMapPath, string clusterDomain, TextWriter output, TextWriter error)
    {
        if (clusterDomain.Contains('/', StringComparison.Ordinal) || !ZoneNames.TryNormalize(clusterDomain, out var zones, out string? domainError) || zones[0] == ".")
        {
            error.WriteLine($"--cluster-domain: '{clusterDomain}' is not a domain name");
            return 2;
        }

        string yaml;
        try
        {
            yaml = File.ReadAllText(configMapPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error.WriteLine($"{configMapPath}: cannot read: {exception.Message}");
            return 2;
        }

        string domain = zones[0].TrimEnd('.');
        if (!KubeDnsConfigMapReader.TryRead(yaml, domain, out var config, out string? problem))
        {
            error.WriteLine($"{configMapPath}: {problem}");
            return 1;
        }

        output.Write(KubeDnsCorefileWriter.Write(config, domain));
        return 0;
    }
}
