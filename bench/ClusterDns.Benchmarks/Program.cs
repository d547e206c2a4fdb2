using BenchmarkDotNet.Running;
using ClusterDns.Benchmarks;

// `fake-api ...` runs the test API server for the load benchmark, `heap [N]` the zone's managed heap per Service,
// `axfr [N]` one zone transfer's memory, `list [N]` the first list of N Services, ours against the client library's,
// `ixfr-apply [N]` one IXFR applied at a secondary in place against the old copy-and-rebuild, `udp-alloc` measures allocation per query
// over a real socket; anything else goes to BenchmarkDotNet
// (e.g. `--filter '*'`, `--list flat`).
if (args.Length > 0 && args[0] == "fake-api")
{
    return await FakeApiCommand.RunAsync(args[1..]).ConfigureAwait(false);
}
if (args.Length > 0 && args[0] == "heap")
{
    return HeapCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == "axfr")
{
    return TransferCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == "ixfr-apply")
{
    return IxfrApplyCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == "list")
{
    return await ListCommand.RunAsync(args[1..]).ConfigureAwait(false);
}
if (args.Length > 0 && args[0] == "udp-alloc")
{
    return UdpAllocationCommand.Run(args[1..]);
}
BenchmarkSwitcher.FromAssembly(typeof(QueryPathBenchmarks).Assembly).Run(args);
return 0;
