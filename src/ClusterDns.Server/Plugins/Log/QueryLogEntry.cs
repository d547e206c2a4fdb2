using System.Net;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;

namespace ClusterDns.Server.Plugins.Log;

/// <summary>What one log line needs, captured at the end of a query; formatted later, off the query path.</summary>
internal readonly record struct QueryLogEntry(
    LogRule Rule,
    IPEndPoint Remote,
    ushort Id,
    Opcode Opcode,
    RecordType Type,
    RecordClass Class,
    byte[] Name,
    TransportKind Transport,
    int RequestSize,
    bool DnssecOk,
    int BufferSize,
    ResponseCode Rcode,
    ushort ResponseFlags,
    int ResponseSize,
    TimeSpan Duration,
    string?[]? Metadata = null);
