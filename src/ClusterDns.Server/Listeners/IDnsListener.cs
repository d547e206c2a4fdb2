using System.Net;

namespace ClusterDns.Server.Listeners;

/// <summary>A bound socket that feeds queries to a <see cref="Pipeline.QueryProcessor"/>.</summary>
public interface IDnsListener : IAsyncDisposable
{
    IPEndPoint LocalEndPoint { get; }

    /// <summary>"udp" or "tcp" (the <c>proto</c> label of metrics).</summary>
    string Protocol { get; }

    void Start();

    Task StopAsync(TimeSpan drain);
}
