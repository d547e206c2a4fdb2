namespace ClusterDns.Server.Plugins.Chaos;

/// <summary>What the chaos answers say.</summary>
internal sealed record ChaosOptions(string Version, IReadOnlyList<string> Authors, string Hostname);
