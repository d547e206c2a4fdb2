using ClusterDns.Protocol;

namespace ClusterDns.Server.Zones;

/// <summary>What a zone lookup wrote: the RCODE and the AA and TC flags for the header.</summary>
public readonly record struct ZoneAnswer(ResponseCode Rcode, bool Authoritative, bool Truncated);
