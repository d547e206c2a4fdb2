using System.Net;

namespace ClusterDns.Server.Plugins.Health;

/// <summary><c>health [ADDR] { lameduck DURATION; rotation_grace DURATION }</c>; a null grace keeps the default.</summary>
public sealed record HealthOptions(IPEndPoint Address, TimeSpan Lameduck, TimeSpan? RotationGrace = null)
{
    public const int DefaultPort = 8080;
}
