using BenchmarkDotNet.Running;
using ClusterDns.Benchmarks;

// `fake-api ...` runs the test API server for the load benchmark; anything else goes to BenchmarkDotNet
// (e.g. `--filter '*'`, `--list flat`).
if (args.Length > 0 && args[0] == "fake-api")
{
    return await FakeApiCommand.RunAsync(args[1..]).ConfigureAwait(false);
}
BenchmarkSwitcher.FromAssembly(typeof(QueryPathBenchmarks).Assembly).Run(args);
return 0;
