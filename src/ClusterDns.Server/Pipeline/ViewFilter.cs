namespace ClusterDns.Server.Pipeline;

/// <summary>
/// A server block's admission test (CoreDNS's <c>Viewer</c>): blocks for the same zone and port are tried in
/// Corefile order, and the first whose filter admits the query answers it. The <c>view</c> plugin supplies it.
/// </summary>
public abstract class ViewFilter
{
    /// <summary>The view's name: the <c>view</c> label of metrics and the <c>view/name</c> metadata.</summary>
    public abstract string ViewName { get; }

    /// <summary>
    /// Whether the block whose filter this is may answer the query (<see cref="DnsQueryContext.Block"/> is that block
    /// while the filter runs, so its metadata can be read). Runs before the chain, on the listener's thread; must
    /// not throw for anything a client sends (a failed evaluation is "no").
    /// </summary>
    public abstract bool Admits(DnsQueryContext context);
}
