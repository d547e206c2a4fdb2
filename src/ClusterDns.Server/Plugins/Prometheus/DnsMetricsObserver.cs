using System.Diagnostics;
using System.Globalization;
using ClusterDns.Protocol;
using ClusterDns.Server.Config;
using ClusterDns.Server.Telemetry;
using Prometheus;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Prometheus;

/// <summary>
/// Updates CoreDNS's <c>coredns_dns_*</c> families for every finished query of a server block that has
/// <c>prometheus</c>, plus <c>coredns_panics_total</c>. Label sets are resolved per block and zone when a pipeline
/// is activated and cached per (type, proto, family) and (plugin, rcode) on first use, so steady-state updates
/// are array reads and Interlocked increments: no locks, no allocation.
/// </summary>
public sealed class DnsMetricsObserver : IQueryObserver, IPipelineObserver, ITransportObserver
{
    private const string DroppedZone = "dropped";
    private const string NoView = "";

    private readonly Families _families;
    private readonly Counter.Child _panics;
    private Dictionary<ServerBlockRuntime, ZoneMetrics[]> _blocks = new(ReferenceEqualityComparer.Instance);
    private Dictionary<int, ZoneMetrics> _dropped = new();
    private Dictionary<int, TransportMetrics> _transports = new();

    // The blocks of the active pipeline (activation is serialized by DnsServer).
    private HashSet<ServerBlockRuntime> _active = new(ReferenceEqualityComparer.Instance);

    public DnsMetricsObserver(MetricsRegistry registry)
    {
        Registry = registry;
        _families = new Families(registry);
        _panics = registry.Counter(DnsMetricNames.PanicsTotal, "A metrics that counts the number of panics.").NoLabels();
        var (version, revision, runtime) = BuildInfo.Read();
        registry.Gauge(DnsMetricNames.BuildInfo, "A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.", "version", "revision", "goversion")
            .WithLabels(version, revision, runtime).Set(1);
        _ = registry.Counter(DnsMetricNames.ReloadFailedTotal, "Counter of the number of failed reload attempts.").NoLabels();
    }

    public MetricsRegistry Registry { get; }

    public void OnPipelineActivated(ServerPipeline pipeline)
    {
        var previous = Volatile.Read(ref _blocks);
        var blocks = new Dictionary<ServerBlockRuntime, ZoneMetrics[]>(ReferenceEqualityComparer.Instance);
        // In-flight queries of the pipeline being replaced still finish on its blocks: keep those one generation.
        foreach (var (block, zones) in previous)
        {
            if (_active.Contains(block))
            {
                blocks[block] = zones;
            }
        }
        var dropped = new Dictionary<int, ZoneMetrics>(Volatile.Read(ref _dropped));
        var active = new HashSet<ServerBlockRuntime>(ReferenceEqualityComparer.Instance);
        var transports = new Dictionary<int, TransportMetrics>();
        foreach (var group in pipeline.Listeners)
        {
            var server = group.ServerLabel;
            string stream = StreamProto(group.Transport);
            bool anyCounted = false;
            foreach (var block in group.Router.Blocks)
            {
                active.Add(block);
                if (!HasPrometheus(block))
                {
                    continue;
                }
                anyCounted = true;
                var zones = new ZoneMetrics[block.Zones.Count];
                for (int i = 0; i < zones.Length; i++)
                {
                    zones[i] = new ZoneMetrics(_families, server, block.Zones[i].ToString(), block.ViewName, block.Handlers, stream);
                }
                blocks[block] = zones;
            }
            if (anyCounted && !dropped.ContainsKey(group.Port))
            {
                dropped[group.Port] = new ZoneMetrics(_families, server, DroppedZone, NoView, [], stream);
            }
            if (anyCounted && group.Transport != ServerTransport.Dns)
            {
                transports[group.Port] = new TransportMetrics(_families, server);
            }
        }
        Volatile.Write(ref _transports, transports);
        _active = active;
        Volatile.Write(ref _dropped, dropped);
        Volatile.Write(ref _blocks, blocks);

        _families.PluginEnabled.RemoveAllSeries();
        foreach (var (server, zone, view, plugin) in pipeline.Context.PluginsEnabled.Entries)
        {
            _families.PluginEnabled.WithLabels(server, zone, view, plugin).Set(1);
        }
    }

    public void OnQueryCompleted(DnsQueryContext context, ResponseCode rcode)
    {
        ZoneMetrics? metrics;
        if (context.Block is { } block)
        {
            if (!Volatile.Read(ref _blocks).TryGetValue(block, out var zones))
            {
                return;
            }
            int zone = QueryLabels.ZoneIndex(block.ZonesWire, context.LowerName);
            metrics = zones[zone < 0 ? 0 : zone];
        }
        else
        {
            var dropped = Volatile.Read(ref _dropped);
            // A group configured with port 0 (tests) listens on a port the configuration never names.
            if (!dropped.TryGetValue(context.LocalPort, out metrics) && !dropped.TryGetValue(0, out metrics))
            {
                return;
            }
        }
        metrics.Record(context, rcode);
    }

    public void OnHandlerFault(DnsQueryContext context) => _panics.Inc();

    public void OnTlsHandshakeFailed(int port) => TransportOf(port)?.HandshakeFailures.Inc();

    public void OnHttpsResponse(int port, int status) => TransportOf(port)?.Response(status).Inc();

    private TransportMetrics? TransportOf(int port)
    {
        var transports = Volatile.Read(ref _transports);
        // A group configured with port 0 (tests) listens on a port the configuration never names.
        return transports.TryGetValue(port, out var metrics) || transports.TryGetValue(0, out metrics) ? metrics : null;
    }

    /// <summary>The <c>proto</c> label of a stream query on a port of this transport (UDP is always "udp").</summary>
    private static string StreamProto(ServerTransport transport) => transport switch
    {
        ServerTransport.Tls => "tls",
        ServerTransport.Https => "https",
        _ => "tcp",
    };

    private static bool HasPrometheus(ServerBlockRuntime block)
    {
        foreach (var handler in block.Handlers)
        {
            if (handler is PrometheusHandler)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>CoreDNS's DNS families, registered once per registry.</summary>
    internal sealed class Families
    {
        public Families(MetricsRegistry registry)
        {
            Requests = registry.Counter(DnsMetricNames.RequestsTotal, "Counter of DNS requests made per zone, protocol and family.", "server", "zone", "view", "proto", "family", "type");
            Responses = registry.Counter(DnsMetricNames.ResponsesTotal, "Counter of response status codes.", "server", "zone", "view", "rcode", "plugin");
            Duration = registry.Histogram(DnsMetricNames.RequestDuration, "Histogram of the time (in seconds) each request took per zone.", DnsMetricNames.DurationBuckets, "server", "zone", "view");
            RequestSize = registry.Histogram(DnsMetricNames.RequestSize, "Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.", DnsMetricNames.SizeBuckets, "server", "zone", "view", "proto");
            ResponseSize = registry.Histogram(DnsMetricNames.ResponseSize, "Size of the returned response in bytes.", DnsMetricNames.SizeBuckets, "server", "zone", "view", "proto");
            DoRequests = registry.Counter(DnsMetricNames.DoRequestsTotal, "Counter of DNS requests with DO bit set per zone.", "server", "zone", "view");
            HttpsResponses = registry.Counter(DnsMetricNames.HttpsResponsesTotal, "Counter of DoH responses per server and http status code.", "server", "status");
            TlsHandshakeFailures = registry.Counter(DnsMetricNames.TlsHandshakeFailuresTotal, "Counter of TLS handshakes that failed, timed out or were refused, per server.", "server");
            PluginEnabled = registry.Gauge(DnsMetricNames.PluginEnabled, "A metric that indicates whether a plugin is enabled on per server and zone basis.", "server", "zone", "view", "name");
        }

        public Counter Requests { get; }

        public Counter Responses { get; }

        public Histogram Duration { get; }

        public Histogram RequestSize { get; }

        public Histogram ResponseSize { get; }

        public Counter DoRequests { get; }

        public Gauge PluginEnabled { get; }

        public Counter HttpsResponses { get; }

        public Counter TlsHandshakeFailures { get; }
    }

    /// <summary>The series of one (server, zone): fixed ones resolved now, the rest cached in slots on first use.</summary>
    internal sealed class ZoneMetrics
    {
        private const int RcodeSlots = 24;

        private readonly Families _families;
        private readonly string _server;
        private readonly string _zone;
        private readonly string _view;
        private readonly string[] _plugins;
        private readonly Counter.Child?[] _requests = new Counter.Child?[2 * 2 * QueryLabels.TypeCount];
        private readonly Counter.Child?[] _responses;
        private readonly Histogram.Child _duration;
        private readonly Histogram.Child[] _requestSize;
        private readonly Histogram.Child[] _responseSize;
        private readonly Counter.Child _doRequests;
        private readonly string[] _protoNames;

        public ZoneMetrics(Families families, string server, string zone, string view, IReadOnlyList<DnsHandler> handlers, string streamProto = "tcp")
        {
            _protoNames = [QueryLabels.ProtoNames[0], streamProto];
            _families = families;
            _server = server;
            _zone = zone;
            _view = view;
            // Handler names plus "" for responses the server itself wrote.
            _plugins = new string[handlers.Count + 1];
            for (int i = 0; i < handlers.Count; i++)
            {
                _plugins[i] = handlers[i].Name;
            }
            _plugins[^1] = string.Empty;
            _responses = new Counter.Child?[_plugins.Length * RcodeSlots];
            _duration = families.Duration.WithLabels(server, zone, view);
            _requestSize = [families.RequestSize.WithLabels(server, zone, view, "udp"), families.RequestSize.WithLabels(server, zone, view, streamProto)];
            _responseSize = [families.ResponseSize.WithLabels(server, zone, view, "udp"), families.ResponseSize.WithLabels(server, zone, view, streamProto)];
            _doRequests = families.DoRequests.WithLabels(server, zone, view);
        }

        public void Record(DnsQueryContext context, ResponseCode rcode)
        {
            int proto = QueryLabels.ProtoIndex(context.Transport);
            int family = QueryLabels.FamilyIndex(context.RemoteAddress);
            int type = QueryLabels.TypeIndex(context.QuestionType);
            int slot = (proto * 2 + family) * QueryLabels.TypeCount + type;
            (Volatile.Read(ref _requests[slot]) ?? CreateRequests(slot, proto, family, type)).Inc();

            if (context.Query.Edns.DnssecOk)
            {
                _doRequests.Inc();
            }
            _requestSize[proto].Observe(context.RequestLength);
            _responseSize[proto].Observe(context.ResponseLength);
            _duration.Observe(Stopwatch.GetElapsedTime(context.StartTimestamp).TotalSeconds);

            int plugin = PluginIndex(context.WrittenBy);
            int code = (int)rcode;
            if (plugin >= 0 && code < RcodeSlots)
            {
                int index = plugin * RcodeSlots + code;
                (Volatile.Read(ref _responses[index]) ?? CreateResponses(index, plugin, rcode)).Inc();
            }
            else
            {
                // A plugin name no handler of this block has, or an extended RCODE: rare, resolved each time.
                _families.Responses.WithLabels(_server, _zone, _view, RcodeName(rcode), context.WrittenBy).Inc();
            }
        }

        private int PluginIndex(string writtenBy)
        {
            if (writtenBy.Length == 0)
            {
                return _plugins.Length - 1;
            }
            for (int i = 0; i < _plugins.Length - 1; i++)
            {
                if (ReferenceEquals(_plugins[i], writtenBy) || string.Equals(_plugins[i], writtenBy, StringComparison.Ordinal))
                {
                    return i;
                }
            }
            return -1;
        }

        private Counter.Child CreateRequests(int slot, int proto, int family, int type)
        {
            var counter = _families.Requests.WithLabels(_server, _zone, _view, _protoNames[proto], QueryLabels.FamilyNames[family], QueryLabels.TypeNames[type]);
            Volatile.Write(ref _requests[slot], counter);
            return counter;
        }

        private Counter.Child CreateResponses(int index, int plugin, ResponseCode rcode)
        {
            var counter = _families.Responses.WithLabels(_server, _zone, _view, RcodeName(rcode), _plugins[plugin]);
            Volatile.Write(ref _responses[index], counter);
            return counter;
        }

        /// <summary>miekg/dns's RcodeToString names (CoreDNS's rcode label).</summary>
        private static string RcodeName(ResponseCode rcode) => (int)rcode switch
        {
            0 => "NOERROR",
            1 => "FORMERR",
            2 => "SERVFAIL",
            3 => "NXDOMAIN",
            4 => "NOTIMP",
            5 => "REFUSED",
            6 => "YXDOMAIN",
            7 => "YXRRSET",
            8 => "NXRRSET",
            9 => "NOTAUTH",
            10 => "NOTZONE",
            16 => "BADSIG",
            17 => "BADKEY",
            18 => "BADTIME",
            19 => "BADMODE",
            20 => "BADNAME",
            21 => "BADALG",
            22 => "BADTRUNC",
            23 => "BADCOOKIE",
            var other => other.ToString(CultureInfo.InvariantCulture),
        };
    }
}
