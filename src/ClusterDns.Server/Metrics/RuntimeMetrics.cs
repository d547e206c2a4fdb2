namespace ClusterDns.Server.Metrics;

/// <summary>The <c>dotnet_*</c> runtime metrics (garbage collector, thread pool), read at scrape time.</summary>
public static class RuntimeMetrics
{
    public static void Register(MetricsRegistry registry)
    {
        var collections = registry.CounterCallback("dotnet_gc_collections_total", "Garbage collections since the process started, by generation.", "generation");
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            int g = generation;
            collections.Set(() => GC.CollectionCount(g), g.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        registry.GaugeCallback("dotnet_gc_heap_size_bytes", "Managed heap size after the last garbage collection, in bytes.")
            .Set(() => GC.GetGCMemoryInfo().HeapSizeBytes);
        registry.GaugeCallback("dotnet_total_memory_bytes", "Bytes currently thought to be allocated on the managed heap.")
            .Set(() => GC.GetTotalMemory(forceFullCollection: false));
        registry.CounterCallback("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.")
            .Set(() => GC.GetTotalAllocatedBytes(precise: false));
        registry.CounterCallback("dotnet_gc_pause_seconds_total", "Total time the runtime was paused for garbage collections, in seconds.")
            .Set(() => GC.GetTotalPauseDuration().TotalSeconds);
        registry.GaugeCallback("dotnet_threadpool_threads", "Thread pool threads that currently exist.")
            .Set(() => ThreadPool.ThreadCount);
        registry.GaugeCallback("dotnet_threadpool_queue_length", "Work items queued to the thread pool and not yet started.")
            .Set(() => ThreadPool.PendingWorkItemCount);
        registry.CounterCallback("dotnet_threadpool_completed_items_total", "Work items the thread pool has completed.")
            .Set(() => ThreadPool.CompletedWorkItemCount);
        registry.CounterCallback("dotnet_lock_contentions_total", "Times a thread waited on a contended Monitor lock.")
            .Set(() => Monitor.LockContentionCount);
    }
}
