#!/usr/bin/env bash
# Load benchmark: ClusterDns side by side with Knot DNS and NSD on one synthetic cluster.
#
#   bench/load/run.sh [--services N] [--rounds N] [--quick] [--servers knot,nsd,clusterdns] [--native] [--skip-build]
#                     [--mix auth|pod]
#
# --mix pod runs the pod-traffic mix instead of the authoritative one: the lookups a pod's glibc or musl makes with
# `search NS.svc.cluster.local svc.cluster.local cluster.local` and `ndots:5` (outside names through three NXDOMAIN
# expansions and then forward + cache, `svc.ns` short names through one), A and AAAA each; ClusterDns on kubeadm's
# default Corefile (kubernetes, forward to a loopback Knot serving example.net, cache 30, prometheus, health, ready,
# loop, reload, loadbalance), Knot and NSD serving both zones as plain zones, unbound caching (the cluster as
# local data, the rest forwarded to the same upstream); default servers knot,nsd,unbound,clusterdns. Adds a memory
# breakdown per ClusterDns run (smaps_rollup and the GC's heap per generation from /metrics).
#
# --native also publishes the shipped build (Native AOT, out/clusterdns-native) and runs it beside the JIT one
# as clusterdns-native (`--servers knot,clusterdns --native`: both builds with Knot as the peer in one run).
# --servers also takes clusterdns-manifests, clusterdns-rewrite (clusterdns plus one `rewrite name exact
# alias.example.com svc0.ns0.svc.cluster.local` line: `--servers clusterdns,clusterdns-rewrite` measures what a
# rewrite rule costs per query), clusterdns-tcp and clusterdns-dot (`--servers clusterdns-tcp,clusterdns-dot`:
# DNS over TLS against plain TCP on one server, dnsperf -m dot / -m tcp; needs openssl) and
# clusterdns-NAME=PUBLISHDIR and clusterdns-prometheus[-NAME=PUBLISHDIR] (the block has `prometheus`: what
# counting queries costs; see loadbench.py --help).
# 1. Publishes ClusterDns (Release, JIT with ReadyToRun; with --native also Native AOT) and builds
#    bench/ClusterDns.Benchmarks (the test API server), both through the build lock (/tmp/clusterdns-build.lock),
#    into bench/load/out/.
# 2. gen_cluster.py renders the cluster (N ClusterIP Services with two named ports in 100 namespaces, N/10
#    headless Services with 5 endpoints) as API objects for ClusterDns, as a zone file for Knot and NSD, and
#    a dnsperf query file (70% A hits, 10% SRV, 10% AAAA NODATA, 10% ndots:5 search-list NXDOMAINs).
# 3. loadbench.py starts each server on 127.0.0.1 pinned to CPU 0 (dnsperf and the API server on CPU 1),
#    interleaving the servers (A B C A B C ...), and prints medians and ratios to Knot: max QPS, mean and p99
#    latency at 20,000 q/s, server CPU seconds per million queries, RSS, start-to-ready, and ClusterDns's
#    freshness (API watch event -> first correct answer, 1,000 Service creations under 20,000 q/s).
# ClusterDns runs as `dotnet clusterdns.dll` (the native build as `clusterdns`) with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1,
# DOTNET_TieredPGO=1, DOTNET_gcServer=0 (more with CLUSTERDNS_ENV="K=V ..."). Every run is time-bounded;
# results land in bench/load/out/<services>/results.json. Needs knotd, nsd, dnsperf, kdig, taskset, python3.
# Not part of ./test.sh: a full run takes about 6 minutes per cluster size.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/out"
services=10000 rounds=3 servers="" skip_build=0 native=0 mix=auth extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --services) services="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --servers) servers="$2"; shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        --native) native=1; shift ;;
        --mix) mix="$2"; shift 2 ;;
        --quick) extra+=(--max-seconds 8 --fixed-seconds 5 --fresh 300); shift ;;
        -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ $mix == auth || $mix == pod ]] || { echo "run.sh: --mix is auth or pod" >&2; exit 2; }
[[ -n $servers ]] || { [[ $mix == pod ]] && servers="knot,nsd,unbound,clusterdns" || servers="knot,nsd,clusterdns"; }
tools=(knotd nsd dnsperf kdig taskset python3 dotnet)
[[ $servers == *unbound* ]] && tools+=(unbound)
for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done
[[ $(nproc) -ge 2 ]] || { echo "run.sh: needs 2 CPUs (server on CPU 0, client on CPU 1)" >&2; exit 1; }

mkdir -p "$out"
if [[ $skip_build -eq 0 ]]; then
    (cd "$repo" && flock /tmp/clusterdns-build.lock dotnet publish src/ClusterDns -c Release -r linux-x64 --self-contained false \
        -p:PublishAot=false -p:PublishReadyToRun=true -o "$out/clusterdns" >/dev/null)
    if [[ $native -eq 1 ]]; then
        (cd "$repo" && flock /tmp/clusterdns-build.lock dotnet publish src/ClusterDns -c Release -r linux-x64 -o "$out/clusterdns-native" >/dev/null)
    fi
    (cd "$repo" && flock /tmp/clusterdns-build.lock dotnet build bench/ClusterDns.Benchmarks -c Release -o "$out/benchmarks" >/dev/null)
fi

[[ $native -eq 1 ]] && servers="$servers,clusterdns-native=$out/clusterdns-native"

data="$out/$services" label="$services"
[[ $mix == pod ]] && label="$services-pod"
python3 "$here/gen_cluster.py" "$data" --services "$services"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet -- src || echo ' (src has uncommitted changes)')"
timeout 3600 python3 "$here/loadbench.py" --data "$data" --work "$out/work" --publish "$out/clusterdns" \
    --bench-dll "$out/benchmarks/ClusterDns.Benchmarks.dll" --servers "$servers" --rounds "$rounds" \
    --label "$label" --mix "$mix" "${extra[@]}"
