namespace ClusterDns.Server.Config;

/// <summary>
/// Something a plugin runs beside the handler chain for as long as its pipeline serves: a cluster source,
/// a file watcher, an HTTP endpoint. Started before the pipeline takes queries, stopped after it is replaced.
/// </summary>
public interface IServerComponent
{
    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);
}
