using System.Net;

namespace ClusterDns.Server.Plugins.Ready;

/// <summary><c>ready [ADDR] { monitor until-ready|continuously }</c>.</summary>
public sealed record ReadyOptions(IPEndPoint Address, bool MonitorContinuously = true)
{
    public const int DefaultPort = 8181;
}
