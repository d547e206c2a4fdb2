using System.Diagnostics.Metrics;
using System.Globalization;
using Prometheus;

namespace ClusterDns.Server.Telemetry;

/// <summary>
/// Process and .NET runtime metrics. The library's <see cref="DotNetStats"/> gives the <c>process_*</c> names Go's
/// client also exports (<c>process_cpu_seconds_total</c>, <c>process_virtual_memory_bytes</c>,
/// <c>process_start_time_seconds</c>) and a few of its own; its <see cref="MeterAdapter"/> publishes the runtime's
/// <c>System.Runtime</c> meter (GC, heap, thread pool, locks, JIT) as <c>system_runtime_dotnet_*</c>. What Go exports and the
/// library does not (<c>process_resident_memory_bytes</c>, <c>process_open_fds</c>, <c>process_max_fds</c>) is read here.
/// </summary>
public static class ProcessMetrics
{
    /// <summary>System.Runtime instruments the process metrics above already export under their Go names.</summary>
    private static readonly HashSet<string> Duplicates = new(StringComparer.Ordinal)
    {
        "dotnet.process.cpu.time",
        "dotnet.process.memory.working_set",
        "dotnet.gc.collections",
    };

    /// <summary>Registers them on <paramref name="registry"/>; dispose the result to stop the meter listener.</summary>
    public static IDisposable Register(MetricsRegistry registry)
    {
        DotNetStats.Register(registry.Collectors);
        registry.GaugeCallback("process_resident_memory_bytes", "Resident memory size in bytes.").Set(() => Environment.WorkingSet);
        if (OperatingSystem.IsLinux())
        {
            registry.GaugeCallback("process_open_fds", "Number of open file descriptors.")
                .Set(() => Directory.GetFileSystemEntries("/proc/self/fd").Length);
            if (ReadMaxOpenFiles() is { } maxFds)
            {
                registry.GaugeCallback("process_max_fds", "Maximum number of open file descriptors.").Set(() => maxFds);
            }
        }
        return MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry.Collectors,
            MetricFactory = registry.Factory,
            InstrumentFilterPredicate = IsRuntimeInstrument,
        });
    }

    /// <summary>
    /// Only the runtime's own meter: Kestrel's and System.Net's meters would add series per connection. The adapter
    /// exports every instrument as a gauge named after it, so <c>*.count</c> instruments would end in <c>_count</c>,
    /// which promtool rejects for a gauge (process_num_threads counts threads already).
    /// </summary>
    private static bool IsRuntimeInstrument(Instrument instrument) =>
        instrument.Meter.Name == "System.Runtime" && !Duplicates.Contains(instrument.Name)
        && !instrument.Name.EndsWith(".count", StringComparison.Ordinal);

    /// <summary>The soft limit from /proc/self/limits ("Max open files  1024  4096  files").</summary>
    private static double? ReadMaxOpenFiles()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length > 0 && double.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                    {
                        return value;
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
