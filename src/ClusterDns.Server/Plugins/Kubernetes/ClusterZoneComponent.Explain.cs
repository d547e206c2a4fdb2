using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Kubernetes.Multicluster;

namespace ClusterDns.Server.Plugins.Kubernetes;

/// <summary><c>explain</c>: which objects the cluster zone answers a name from, read under the writer's lock.</summary>
public sealed partial class ClusterZoneComponent
{
    public AnswerExplanation? Explain(DnsName name)
    {
        AnswerExplanation? explanation;
        lock (_writer)
        {
            var found = _builder.Explain(name);
            if (found is null && Clusterset is { } clusterset
                && new ClustersetAnswerSources(clusterset.Options, clusterset).Find(name) is ({ } zone, var imports, var importNotes))
            {
                found = (zone, imports, importNotes);
            }
            if (found is null)
            {
                return null;
            }
            var notes = new List<string>(found.Value.Notes);
            var objects = new List<AnswerSourceObject>();
            foreach (var source in found.Value.Objects)
            {
                if (_unconfirmed.TryGetValue(source.Kind, out var keys) && keys.Contains(source.Key))
                {
                    objects.Add(new AnswerSourceObject(source.Kind.ToString(), source.Key,
                        source.Role + " (from the state file; the source has not confirmed it yet)", null, null));
                }
                else if (_source.TryGetKnown(source.Kind, source.Key, out var known))
                {
                    objects.Add(new AnswerSourceObject(source.Kind.ToString(), source.Key, source.Role,
                        known.ResourceVersion.Length > 0 ? known.ResourceVersion : null, known.ReceivedAt));
                }
                else
                {
                    objects.Add(new AnswerSourceObject(source.Kind.ToString(), source.Key, source.Role, null, null));
                }
            }
            var index = _builder.Current;
            if (!index.Synced)
            {
                notes.Add("the zone has not finished its first list: names it does not hold yet are answered SERVFAIL");
            }
            explanation = new AnswerExplanation("kubernetes", found.Value.Zone.ToString(), index.Serial, index.Synced, objects, notes, WatchFreshnessNow());
        }
        return explanation;
    }

    private List<WatchFreshness> WatchFreshnessNow() =>
        _source.Kinds.Select(kind => _source.Watch(kind) is { } health
            ? new WatchFreshness(kind.ToString(), health.Open, health.LastEventAge)
            : new WatchFreshness(kind.ToString(), null, null)).ToList();
}
