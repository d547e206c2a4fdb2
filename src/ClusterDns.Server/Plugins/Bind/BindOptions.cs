using System.Net;

namespace ClusterDns.Server.Plugins.Bind;

/// <summary>The <c>bind</c> directive: the addresses to listen on, interface names already resolved.</summary>
internal sealed record BindOptions(IReadOnlyList<IPAddress> Addresses);
