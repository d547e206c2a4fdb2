using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Tests.Plugins.Cache;

/// <summary>Stands for what follows the cache in the chain: answers as the test says and counts its calls.</summary>
internal sealed class ScriptedHandler : DnsHandler
{
    private int _calls;
    private TaskCompletionSource _called = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override string Name => "scripted";

    public int Calls => Volatile.Read(ref _calls);

    public uint Ttl { get; set; } = 300;

    public int RecordCount { get; set; } = 1;

    public ResponseCode Rcode { get; set; } = ResponseCode.NoError;

    /// <summary>SOA in the authority section for negative answers: its TTL and MINIMUM.</summary>
    public (uint Ttl, uint Minimum)? Soa { get; set; }

    public bool Fail { get; set; }

    public bool DoNotCache { get; set; }

    /// <summary>Completes at the next call (prefetch and refresh happen in the background).</summary>
    public Task NextCall => _called.Task;

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Exchange(ref _called, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (Fail)
        {
            return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.ServFail));
        }
        context.DoNotCache = DoNotCache;
        var writer = context.BeginResponse();
        if (Rcode == ResponseCode.NoError)
        {
            for (int i = 0; i < RecordCount; i++)
            {
                var address = new IPAddress(new byte[] { 192, 0, 2, (byte)(i + 1) }).GetAddressBytes();
                writer.TryWriteRecordAt(12, RecordType.A, (ushort)RecordClass.IN, Ttl, address, MessageSection.Answer);
            }
        }
        if (Soa is { } soa)
        {
            var rdata = new List<byte>();
            rdata.AddRange(DnsName.Parse("ns.example.org.").Wire.ToArray());
            rdata.AddRange(DnsName.Parse("hostmaster.example.org.").Wire.ToArray());
            foreach (uint value in new uint[] { 1, 7200, 1800, 86400, soa.Minimum })
            {
                rdata.AddRange(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value });
            }
            writer.TryWriteRecord(DnsName.Parse("example.org.").Wire, RecordType.SOA, (ushort)RecordClass.IN, soa.Ttl, rdata.ToArray(), MessageSection.Authority);
        }
        context.CompleteResponse(ref writer, Rcode, authoritative: true, truncated: false);
        return new ValueTask<HandlerResult>(HandlerResult.Written(Rcode));
    }
}
