using ClusterDns.Protocol;

namespace ClusterDns.Server.Pipeline;

/// <summary>
/// A source of answers that can say where an answer for a name came from (<c>clusterdns explain</c>, the
/// <c>/explain</c> endpoint on the health port). The cluster zone implements it; rare path, may allocate.
/// </summary>
public interface IAnswerExplainer
{
    /// <summary>The objects behind the answers for <paramref name="name"/>; null when the name is outside this source's zones.</summary>
    AnswerExplanation? Explain(DnsName name);
}
