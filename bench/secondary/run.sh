#!/usr/bin/env bash
# Zone feed benchmark: a central ClusterDns (kubernetes from the test API server, transfer with NOTIFY) and node
# caches holding cluster.local as its secondaries, all real processes on 127.0.0.1.
#
#   bench/secondary/run.sh [--services N] [--changes N] [--nodes N] [--rate Q] [--skip-build]
#
# 1. Publishes ClusterDns and builds bench/ClusterDns.Benchmarks (the test API server) through the build lock.
# 2. gen_cluster.py renders N Services (plus N/10 headless) as API objects and a dnsperf query file.
# 3. feedbench.py starts the API server, the central replica and one node cache; waits for the node's first AXFR;
#    reads the node's RSS; then, under dnsperf at Q q/s against the node cache, creates CHANGES Services one after
#    another and times each from the API write to the first correct answer at the node cache (p50/p99); then starts
#    NODES-1 more node caches and repeats the changes, so the central replica's CPU and the transfer bytes per change
#    per subscribed node come from the difference between the two runs.
# Results: bench/secondary/out/<services>/results.json and a summary on stdout (copied into docs/performance.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/out"
services=10000 changes=1000 nodes=4 rate=5000 skip_build=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --services) services="$2"; shift 2 ;;
        --changes) changes="$2"; shift 2 ;;
        --nodes) nodes="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
for tool in dnsperf python3 dotnet; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done
mkdir -p "$out"
if [[ $skip_build -eq 0 ]]; then
    (cd "$repo" && flock /tmp/clusterdns-build.lock dotnet publish src/ClusterDns -c Release -r linux-x64 --self-contained false -p:PublishAot=false \
        -p:PublishReadyToRun=true -o "$out/clusterdns" >/dev/null)
    (cd "$repo" && flock /tmp/clusterdns-build.lock dotnet build bench/ClusterDns.Benchmarks -c Release -o "$out/benchmarks" >/dev/null)
fi
data="$out/$services"
python3 "$repo/bench/load/gen_cluster.py" "$data" --services "$services" >/dev/null
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); commit $(git -C "$repo" rev-parse --short HEAD)"
timeout 1800 python3 "$here/feedbench.py" --data "$data" --work "$out/work" --publish "$out/clusterdns" \
    --bench-dll "$out/benchmarks/ClusterDns.Benchmarks.dll" --changes "$changes" --nodes "$nodes" --rate "$rate" \
    --results "$data/results.json"
