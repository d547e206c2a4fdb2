using System.CommandLine;
using ClusterDns;
using ClusterDns.NodeCache;

// node-cache's command line is Go's flag syntax (-localip=… -setupiptables=false), which System.CommandLine does not
// read: the mode takes its arguments before the parser sees them.
if (args.Length > 0 && args[0] == NodeCacheCommand.Name)
{
    return NodeCacheCommand.Run(args[1..], Console.Out, Console.Error);
}

return await CommandLine.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
