using System.CommandLine;
using ClusterDns;

return await CommandLine.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
