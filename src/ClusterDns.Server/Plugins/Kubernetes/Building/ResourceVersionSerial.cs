using System.Globalization;

namespace ClusterDns.Server.Plugins.Kubernetes.Building;

/// <summary>
/// The zone's SOA serial from the API resourceVersions applied. They are opaque in Kubernetes, but etcd-backed
/// ones are the etcd revision: one counter for the whole cluster, so replicas that applied the same changes show
/// the same serial. The serial is the highest applied revision modulo 2^32 and only moves forward in RFC 1982
/// sequence space. A source whose versions are not integers (manifests, other storage) falls back to one more
/// per publish, and so does a publish with a change that carries no version (a snapshot object not yet relisted),
/// so the serial still follows every change.
/// </summary>
public sealed class ResourceVersionSerial
{
    private ulong _highest;
    private bool _opaque;
    private bool _unversioned;

    /// <summary>Notes one applied change's resourceVersion; <paramref name="changesData"/>: an upsert or delete (not a sync mark).</summary>
    public void Observe(string? resourceVersion, bool changesData = true)
    {
        if (string.IsNullOrEmpty(resourceVersion))
        {
            _unversioned |= changesData;
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

    /// <summary>The serial of the next publish after <paramref name="current"/>; never behind it (RFC 1982).</summary>
    public uint Next(uint current)
    {
        var bump = _unversioned;
        _unversioned = false;
        if (_opaque || _highest == 0)
        {
            return current + 1;
        }
        var derived = (uint)_highest;
        if (IsAfter(derived, current))
        {
            return derived;
        }
        return bump ? current + 1 : current;
    }

    /// <summary>RFC 1982 section 3.2: s1 is greater than s2 in 32-bit serial number arithmetic.</summary>
    public static bool IsAfter(uint s1, uint s2) =>
        s1 != s2 && ((s1 > s2 && s1 - s2 < 0x8000_0000u) || (s1 < s2 && s2 - s1 > 0x8000_0000u));
}
