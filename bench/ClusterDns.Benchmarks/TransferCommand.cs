using System.Diagnostics;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using ClusterDns.Server.Plugins.Transfer;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterDns.Benchmarks;

/// <summary>
/// `axfr [SERVICES]`: one AXFR of the synthetic cluster's zone (what the transfer plugin chooses to send an AXFR
/// from, filled into messages by the plugin and discarded as a socket would take them): records, bytes, messages, time, bytes
/// allocated during the transfer and the process's peak working set before and after, to show the transfer
/// streams in bounded memory (docs/performance.md, Zone transfers).
/// </summary>
internal static class TransferCommand
{
    public static int Run(string[] args)
    {
        int services = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        var cluster = new SyntheticCluster(services);
        var query = DnsMessage.CreateQuery(1, DnsName.Parse("cluster.local."), RecordType.AXFR);
        var context = new DnsQueryContext();
        int length = query.Write(context.Buffer, context.Buffer.Length);
        context.Reset(length, TransportKind.Tcp);

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long heapBefore = GC.GetTotalMemory(forceFullCollection: false);
        long peakBefore = process.PeakWorkingSet64;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();

        // Through the transfer plugin's own choice of what to send (as a TCP AXFR gets it), not the cursor alone.
        var zone = DnsName.Parse("cluster.local.");
        var transfer = new TransferHandler(new TransferRule([zone], []), NullLogger.Instance) { Next = cluster.Handler };
        var (source, opened) = transfer.OpenCursor(zone.Wire);
        var cursor = transfer.ChooseTransfer(zone.Wire, source!, opened!, clientSerial: null);
        var progress = new TransferProgress();
        long bytes = 0;
        long largestHeap = heapBefore;
        while (true)
        {
            var result = TransferMessages.Fill(context, cursor, progress);
            bytes += context.ResponseLength + 2;
            if (progress.Messages % 64 == 0)
            {
                largestHeap = Math.Max(largestHeap, GC.GetTotalMemory(forceFullCollection: false));
            }
            if (result != FillResult.More)
            {
                break;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        process.Refresh();
        Console.WriteLine($"services={services} records={progress.Records} messages={progress.Messages} wire={bytes / 1048576.0:F1} MiB time={elapsed.TotalMilliseconds:F0} ms");
        Console.WriteLine($"allocated during transfer={allocated / 1024.0:F1} KiB ({allocated / (double)progress.Records:F2} B/record) "
            + $"heap before={heapBefore / 1048576.0:F1} MiB largest during={largestHeap / 1048576.0:F1} MiB "
            + $"peak working set before={peakBefore / 1048576.0:F1} MiB after={process.PeakWorkingSet64 / 1048576.0:F1} MiB");
        GC.KeepAlive(cluster);
        return 0;
    }
}
