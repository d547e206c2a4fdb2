using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Shed;

/// <summary>
/// <c>shed</c> (CoreDNS 1.14): accepted so that a CoreDNS Corefile starts, and not interpreted. CoreDNS's shed
/// drops queries under load without telling cheap from costly ones; ClusterDns sheds by class instead: answers
/// from memory (cluster zone, cache) are never shed, and forward bounds each client to a fair share of
/// <c>max_concurrent</c> (docs/forwarding-and-cache.md, "Shedding by class"). The start-up log says so once.
/// </summary>
public sealed partial class ShedSetup : IPluginSetup
{
    public string Name => "shed";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.Shed");
        LogAccepted(logger, directive.File, directive.Line);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{File}:{Line}: 'shed' is accepted and not interpreted: ClusterDns never sheds cluster or cached answers and bounds forwarded queries per client with forward's max_concurrent (set it to shed forwarded load)")]
    private static partial void LogAccepted(ILogger logger, string file, int line);
}
