using ClusterDns.Testing.Peers;

namespace ClusterDns.Server.Tests.Support;

/// <summary>A fact that needs a real knotd: skipped, with the reason, where Knot DNS is not installed.</summary>
public sealed class KnotFactAttribute : FactAttribute
{
    public KnotFactAttribute()
    {
        if (!KnotSecondary.IsInstalled)
        {
            Skip = KnotSecondary.NotInstalled;
        }
    }
}
