using System.Net;

namespace ClusterDns.Server.Plugins.Ready;

/// <summary><c>ready [ADDR]</c>.</summary>
public sealed record ReadyOptions(IPEndPoint Address)
{
    public const int DefaultPort = 8181;
}
