using System.Net;

namespace ClusterDns.Server.Plugins.Health;

/// <summary><c>health [ADDR] { lameduck DURATION }</c>.</summary>
public sealed record HealthOptions(IPEndPoint Address, TimeSpan Lameduck)
{
    public const int DefaultPort = 8080;
}
