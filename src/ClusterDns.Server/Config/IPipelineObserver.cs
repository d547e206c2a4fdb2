namespace ClusterDns.Server.Config;

/// <summary>
/// A query observer that also wants to know when a pipeline is about to serve (at start and on every reload),
/// before its routers take queries, so it can resolve per-block state (metric label sets) once instead of per
/// query. Apart from <see cref="Pipeline.IQueryObserver"/> because a pipeline is what Config builds.
/// </summary>
public interface IPipelineObserver
{
    void OnPipelineActivated(ServerPipeline pipeline);
}
