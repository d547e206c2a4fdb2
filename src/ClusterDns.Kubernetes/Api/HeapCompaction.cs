namespace ClusterDns.Kubernetes;

/// <summary>
/// Compacts the managed heap after bulk work: a list of a large cluster. Its parse garbage is promoted beside the
/// zone, and the GC's background collections sweep the old generation without compacting it, so the process keeps
/// the space (100k Services: each relist left 9–20 MB more resident, 65 -> 114 MB after seven). One blocking
/// compacting collection after the list gives it back (docs/performance.md). Only when enough was allocated since
/// the last one for it to matter: a list of a small cluster, or a kind that keeps failing, costs no collection.
/// </summary>
public static class HeapCompaction
{
    /// <summary>Allocation since the last compaction below which a compaction is not worth its pause.</summary>
    public const long Threshold = 64L << 20;

    /// <summary>Objects a list (or the part of it since the last compaction) must hold to be worth one.</summary>
    public const int LargeList = 20_000;

    private static long _allocatedAtLastCompaction;

    /// <summary>
    /// Compacts after work on <paramref name="objects"/> objects when they are at least <see cref="LargeList"/> and
    /// <see cref="Threshold"/> bytes or more were allocated since the last compaction; true when it did.
    /// </summary>
    public static bool AfterBulkWork(int objects)
    {
        long last = Volatile.Read(ref _allocatedAtLastCompaction);
        long now = GC.GetTotalAllocatedBytes();
        // Several informers relist at once after a 410 on every watch: the first to claim the mark compacts.
        if (objects < LargeList || now - last < Threshold || Interlocked.CompareExchange(ref _allocatedAtLastCompaction, now, last) != last)
        {
            return false;
        }
        Compact(GCCollectionMode.Forced);
        return true;
    }

    /// <summary>
    /// Compacts now. <see cref="GCCollectionMode.Aggressive"/> also returns every free page to the OS at once (the end
    /// of the first list, before the zone is served as synced).
    /// </summary>
    public static void Compact(GCCollectionMode mode)
    {
        GC.Collect(GC.MaxGeneration, mode, blocking: true, compacting: true);
        Volatile.Write(ref _allocatedAtLastCompaction, GC.GetTotalAllocatedBytes());
    }
}
