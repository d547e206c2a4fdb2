using ClusterDns.Corefile;
using ClusterDns.Server.Config;
using Microsoft.Extensions.Logging;

namespace ClusterDns.Server.Plugins.Loop;

/// <summary>
/// <c>loop</c> (no arguments): detect at start that the upstreams forward back to us, and stop the process
/// with a message that says how to fix it.
/// </summary>
public sealed class LoopSetup : IPluginSetup
{
    private readonly Action<string> _onLoopDetected;

    /// <param name="onLoopDetected">Called once with the message when a loop is found; the default exits the process with code 1.</param>
    public LoopSetup(Action<string>? onLoopDetected = null) => _onLoopDetected = onLoopDetected ?? ExitProcess;

    public string Name => "loop";

    public void Setup(Directive directive, ServerBlockBuilder block)
    {
        directive.ExpectArgCount(0, 0);
        directive.ExpectNoBlock();
        var zone = block.Zones[0];
        var logger = block.Context.LoggerFactory.CreateLogger("ClusterDns.Loop");
        var handler = new LoopHandler(LoopProbe.CreateProbeName(zone), zone.ToString(), _onLoopDetected, logger);
        block.AddHandler(handler);
        block.Context.Components.Add(new LoopProbe(handler, () => block.Handlers, logger));
    }

    /// <summary>The process cannot serve usefully in a loop; exit non-zero (off the query thread, so shutdown can run).</summary>
    public static void ExitProcess(string message)
    {
        Environment.ExitCode = 1;
        _ = Task.Run(() => Environment.Exit(1));
    }
}
