using System.Threading.Channels;

namespace ClusterDns.Kubernetes.Tests;

/// <summary>Awaits changes from a source's channel with a deadline, so a missing change fails instead of hanging.</summary>
internal sealed class ChangeReader(ChannelReader<ClusterChange> reader)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public async Task<ClusterChange> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no change arrived in time");
        }
    }

    /// <summary>Reads until <paramref name="stop"/> matches; returns every change read, the matching one last.</summary>
    public async Task<List<ClusterChange>> UntilAsync(Func<ClusterChange, bool> stop, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var seen = new List<ClusterChange>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("expected change did not arrive; saw: " + string.Join(", ", seen));
            ClusterChange change;
            try
            {
                change = await NextAsync(left);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException("expected change did not arrive; saw: " + string.Join(", ", seen.Select(c => $"{c.Kind} {c.Type} {c.Key}")));
            }

            seen.Add(change);
            if (stop(change)) return seen;
        }
    }

    /// <summary>Reads until every kind has reported Synced.</summary>
    public Task<List<ClusterChange>> UntilSyncedAsync(IReadOnlyCollection<ResourceKind> kinds, TimeSpan? timeout = null)
    {
        var pending = new HashSet<ResourceKind>(kinds);
        return UntilAsync(c => c.Type == ChangeType.Synced && pending.Remove(c.Kind) && pending.Count == 0, timeout);
    }
}
