using System.Globalization;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Loop;

/// <summary>
/// Counts arrivals of this block's loop probe (<c>&lt;random&gt;.&lt;random&gt;.&lt;zone&gt; HINFO</c>). A probe
/// that we sent upstream and that comes back to us more than twice means the upstreams forward to us: a loop
/// that would burn CPU and memory until the process dies. Other queries pass straight on.
/// </summary>
internal sealed partial class LoopHandler : DnsHandler
{
    /// <summary>Arrivals of the probe beyond which it is a loop (as CoreDNS).</summary>
    public const int MaxSeen = 2;

    private readonly byte[] _probeName;
    private readonly string _zone;
    private readonly Action<string> _onLoopDetected;
    private readonly ILogger _logger;
    private int _seen;
    private int _detected;
    private volatile bool _disabled;

    public LoopHandler(byte[] probeName, string zone, Action<string> onLoopDetected, ILogger logger)
    {
        _probeName = probeName;
        _zone = zone;
        _onLoopDetected = onLoopDetected;
        _logger = logger;
    }

    public override string Name => "loop";

    /// <summary>The probe's name, lower-case wire form.</summary>
    internal ReadOnlySpan<byte> ProbeName => _probeName;

    internal int Seen => Volatile.Read(ref _seen);

    internal bool IsDisabled => _disabled;

    /// <summary>After the probe came back answered (no loop), the check stops costing anything.</summary>
    internal void Disable() => _disabled = true;

    public override ValueTask<HandlerResult> ServeAsync(DnsQueryContext context)
    {
        if (_disabled || context.QuestionType != RecordType.HINFO || !context.LowerName.SequenceEqual(_probeName))
        {
            return NextAsync(context);
        }
        if (Interlocked.Increment(ref _seen) <= MaxSeen)
        {
            return NextAsync(context);
        }
        if (Interlocked.Exchange(ref _detected, 1) == 0)
        {
            string message = FormatMessage(context.RemoteEndPoint.ToString(), context.LocalPort, _zone);
            LogLoopDetected(_logger, message);
            _onLoopDetected(message);
        }
        // Break the circle: the probe goes no further.
        return new ValueTask<HandlerResult>(HandlerResult.NotWritten(ResponseCode.ServFail));
    }

    internal static string FormatMessage(string from, int localPort, string zone) =>
        $"Loop ({from} -> :{localPort.ToString(CultureInfo.InvariantCulture)}) detected for zone \"{zone}\": " +
        "your /etc/resolv.conf points at this server or at a resolver (systemd-resolved 127.0.0.53?) that forwards back to it; " +
        "point forward at a real upstream, e.g. `forward . 1.1.1.1`, or set the kubelet's --resolv-conf to /run/systemd/resolve/resolv.conf";

    [LoggerMessage(EventId = 530, Level = LogLevel.Critical, Message = "{Message}")]
    private static partial void LogLoopDetected(ILogger logger, string message);
}
