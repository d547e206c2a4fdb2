using ClusterDns.Kubernetes;

namespace ClusterDns.Kubernetes.Tests;

/// <summary>Alone: the allocation count is process-wide, and other tests' informers relist (and compact) in parallel.</summary>
[CollectionDefinition(nameof(HeapCompactionTests), DisableParallelization = true)]
public sealed class HeapCompactionCollection;

[Collection(nameof(HeapCompactionTests))]
public sealed class HeapCompactionTests
{
    [Fact]
    public void CompactsOnlyAfterALargeListThatAllocatedEnoughSinceTheLastCompaction()
    {
        HeapCompaction.Compact(GCCollectionMode.Forced);

        // A large list that allocated little (its objects unchanged, say): no blocking collection for it.
        int collections = GC.CollectionCount(GC.MaxGeneration);
        Assert.False(HeapCompaction.AfterBulkWork(HeapCompaction.LargeList));
        Assert.Equal(collections, GC.CollectionCount(GC.MaxGeneration));

        // A small list never pauses the process, however much was allocated meanwhile (a test process, a busy cache).
        GC.KeepAlive(new byte[HeapCompaction.Threshold + 1]);
        collections = GC.CollectionCount(GC.MaxGeneration); // the large allocation may have started one of the GC's own
        Assert.False(HeapCompaction.AfterBulkWork(HeapCompaction.LargeList - 1));
        Assert.Equal(collections, GC.CollectionCount(GC.MaxGeneration));

        // A large one after much allocation: compacted once, then the count starts again.
        Assert.True(HeapCompaction.AfterBulkWork(HeapCompaction.LargeList));
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > collections);
        Assert.False(HeapCompaction.AfterBulkWork(HeapCompaction.LargeList));
    }
}
