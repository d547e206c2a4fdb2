using ClusterDns.Kubernetes;

namespace ClusterDns.Kubernetes.Tests;

/// <summary>Alone: the allocation count is process-wide, and other tests' informers relist (and compact) in parallel.</summary>
[CollectionDefinition(nameof(HeapCompactionTests), DisableParallelization = true)]
public sealed class HeapCompactionCollection;

[Collection(nameof(HeapCompactionTests))]
public sealed class HeapCompactionTests
{
    [Fact]
    public void CompactsAfterBulkWorkOnlyOnceEnoughWasAllocatedSinceTheLastCompaction()
    {
        HeapCompaction.Compact(GCCollectionMode.Forced);
        int collections = GC.CollectionCount(GC.MaxGeneration);

        // A small list (or a kind that keeps failing) allocates little: no blocking collection for it.
        Assert.False(HeapCompaction.AfterBulkWork());
        Assert.Equal(collections, GC.CollectionCount(GC.MaxGeneration));

        // A large one: its garbage is compacted away once, then the count starts again.
        GC.KeepAlive(new byte[HeapCompaction.Threshold + 1]);
        Assert.True(HeapCompaction.AfterBulkWork());
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > collections);
        Assert.False(HeapCompaction.AfterBulkWork());
    }
}
