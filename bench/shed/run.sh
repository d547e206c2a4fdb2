#!/usr/bin/env bash
# Shedding by class: does a flood of forwarded names hurt cluster names more than a flood of cluster names?
#
#   bench/shed/run.sh [--rounds N] [--seconds S] [--before COMMIT] [--cap N] [--skip-build]
#
# 1. Publishes ClusterDns (Release, ReadyToRun) from this worktree and, with --before, from COMMIT (a detached
#    git worktree under bench/shed/out/), both through the build lock, into bench/shed/out/.
# 2. shed.py writes 1,000 ClusterIP Services as manifests, a query file of their A names (the "cluster" flood and
#    the probe) and one of unique external names (the "external" flood: every one forwarded, never a cache hit).
# 3. Each run starts a fresh server on 127.0.0.1 pinned to CPU 0 with a kubeadm-like Corefile (errors,
#    kubernetes, cache 30, forward . BLACKHOLE { max_concurrent 1000 }, loadbalance); the upstream is a UDP socket
#    on loopback that never answers. dnsperf, pinned to CPU 1, floods at 40,000 q/s from 127.0.0.2 while a second
#    dnsperf asks cluster names at 2,000 q/s from 127.0.0.3 (-v: every reply's latency). Floods interleave per round
#    (external, cluster; then cluster, external), servers interleave inside each round.
# 4. Prints per run the probe's losses, p50, p99, the flood's rate and rcodes and the server's CPU seconds over
#    the run (utime+stime, less sensitive to a busy machine than p99); per server the median p99 beside each flood,
#    their ratio, and PASS when the probe lost nothing and p99(external) <= 1.5 x p99(cluster) + 0.3 ms.
# --cap N adds a server "after-cap" with `max_concurrent_per_client N`. Not part of ./test.sh (about 30 s a run).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/out"
rounds=3 seconds=10 before="" cap="" skip_build=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --before) before="$2"; shift 2 ;;
        --cap) cap="$2"; shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
for tool in dnsperf dig taskset python3 dotnet; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done
[[ $(nproc) -ge 2 ]] || { echo "run.sh: needs 2 CPUs (server on CPU 0, clients on CPU 1)" >&2; exit 1; }

mkdir -p "$out"
publish() { # SOURCE_DIR OUTPUT_DIR
    (cd "$1" && flock /tmp/clusterdns-build.lock dotnet publish src/ClusterDns -c Release -r linux-x64 --self-contained false -p:PublishAot=false \
        -p:PublishReadyToRun=true -o "$2" >/dev/null)
}
servers=(--server "after=$out/after")
if [[ $skip_build -eq 0 ]]; then
    publish "$repo" "$out/after"
fi
if [[ -n "$before" ]]; then
    if [[ $skip_build -eq 0 ]]; then
        rm -rf "$out/before-src"
        git -C "$repo" worktree add --detach "$out/before-src" "$before" >/dev/null
        publish "$out/before-src" "$out/before"
        git -C "$repo" worktree remove --force "$out/before-src"
    fi
    servers=(--server "before=$out/before" "${servers[@]}")
fi
[[ -n "$cap" ]] && servers+=(--server "after-cap=$out/after")
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git -C "$repo" rev-parse --short HEAD)${before:+, before: $before}"
rm -rf "$out/work"
timeout 3600 python3 "$here/shed.py" --work "$out/work" --rounds "$rounds" --seconds "$seconds" "${servers[@]}" \
    ${cap:+--forward-extra "max_concurrent_per_client $cap"}
