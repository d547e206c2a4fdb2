using System.Globalization;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// The zone's SOA serial from the API resourceVersions applied. They are opaque in Kubernetes, but etcd-backed
/// ones are the etcd revision: one counter for the whole cluster, so replicas that applied the same changes show
/// the same serial. The serial is the highest applied revision modulo 2^32 and only moves forward in RFC 1982
/// sequence space. A source whose versions are not integers (manifests, other storage) falls back to one more
/// per publish. Once the zone is listed, a publish that changes records but whose changes all carry versions at or
/// below the serial shown (one watch's event arriving after another watch's later one: Services and EndpointSlices
/// are separate streams) also moves it one up: every version a secondary can hold has its own serial (RFC 1996 §4:
/// secondaries learn of a change by its serial alone, and an IXFR difference runs from one serial to the next). So
/// replicas agree on the serial while their watches deliver in order, and briefly differ by a few after such an
/// event, until the next later version. Before the first list completes no secondary can transfer, and the serial
/// is the highest revision alone.
/// </summary>
public sealed class ResourceVersionSerial
{
    private ulong _highest;
    private bool _opaque;

    /// <summary>Notes one applied change's resourceVersion (none, or not a number: the serial counts publishes).</summary>
    public void Observe(string? resourceVersion)
    {
        if (string.IsNullOrEmpty(resourceVersion))
        {
            return;
        }
        if (ulong.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            _highest = Math.Max(_highest, version);
        }
        else
        {
            _opaque = true;
        }
    }

    /// <summary>
    /// The serial of the next publish after <paramref name="current"/> (RFC 1982): the highest revision applied when
    /// that is after it; otherwise one more when <paramref name="recordsChanged"/> (a late event of another watch once
    /// the zone is listed: a secondary may hold the current serial and must see the change), else unchanged.
    /// </summary>
    public uint Next(uint current, bool recordsChanged)
    {
        if (_opaque || _highest == 0)
        {
            return current + 1;
        }
        var derived = (uint)_highest;
        if (IsAfter(derived, current))
        {
            return derived;
        }
        return recordsChanged ? current + 1 : current;
    }

    /// <summary>RFC 1982 section 3.2: s1 is greater than s2 in 32-bit serial number arithmetic.</summary>
    public static bool IsAfter(uint s1, uint s2) =>
        s1 != s2 && ((s1 > s2 && s1 - s2 < 0x8000_0000u) || (s1 < s2 && s2 - s1 > 0x8000_0000u));
}
