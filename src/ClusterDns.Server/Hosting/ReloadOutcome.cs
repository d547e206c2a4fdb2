namespace ClusterDns.Server.Hosting;

/// <summary>What one reload check did.</summary>
public enum ReloadOutcome
{
    /// <summary>The Corefile (and its imports) did not change, or it is the same broken file already reported.</summary>
    Unchanged,

    /// <summary>A new pipeline serves.</summary>
    Reloaded,

    /// <summary>The changed Corefile is invalid or could not start; the old pipeline keeps serving.</summary>
    Failed,
}
