namespace ClusterDns.Server.Hosting;

/// <summary>What the command line chose: the Corefile and an optional port for keys that name none.</summary>
public sealed record DnsServerOptions(string CorefilePath, int? Port);
