using System.Diagnostics;
using System.Globalization;

namespace ClusterDns.Server.Metrics;

/// <summary>The <c>process_*</c> metrics every Prometheus client library exports, read at scrape time.</summary>
public static class ProcessMetrics
{
    public static void Register(MetricsRegistry registry)
    {
        var startTime = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        registry.CounterCallback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
            .Set(() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
        registry.GaugeCallback("process_resident_memory_bytes", "Resident memory size in bytes.")
            .Set(() => Environment.WorkingSet);
        registry.GaugeCallback("process_virtual_memory_bytes", "Virtual memory size in bytes.")
            .Set(() => Process.GetCurrentProcess().VirtualMemorySize64);
        registry.GaugeCallback("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
            .Set(() => startTime);
        if (OperatingSystem.IsLinux())
        {
            registry.GaugeCallback("process_open_fds", "Number of open file descriptors.")
                .Set(() => Directory.GetFileSystemEntries("/proc/self/fd").Length);
            if (ReadMaxOpenFiles() is { } maxFds)
            {
                registry.GaugeCallback("process_max_fds", "Maximum number of open file descriptors.").Set(() => maxFds);
            }
        }
    }

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
