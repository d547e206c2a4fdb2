#!/usr/bin/env bash
# Soak: ClusterDns under steady load and a steady stream of Service changes, for a bounded number of minutes.
#
#   bench/soak/run.sh [--minutes N] [--rate QPS] [--services N] [--source api|manifests] [--changes-per-second N] [--skip-build]
#   bench/soak/run.sh --faults [--fault-scale F] [--minutes N (default 60)] [--rate QPS (default 2000)] [--compact-every N]
#
# --faults runs faults.py instead (an hour of faults, nothing lost; see docs/performance.md): a kubeadm-style
# Corefile (kubernetes via the test API server + forward to a loopback upstream + cache, prometheus, health, ready,
# reload, loop, loadbalance) under dnsperf with Service churn, while the test API server is SIGKILLed and restarted
# every 5 min (every 3rd restart from the 2nd with its history compacted: 410 Gone), the upstream is blackholed for
# 30 s every 10 min and the Corefile is rewritten every 2 min (every 5th version invalid). A prober that knows the
# true state counts wrong answers. --fault-scale multiplies every interval (0.1: restarts every 30 s).
#
# 1. Publishes ClusterDns (Release) through the build lock into bench/soak/out/clusterdns (--skip-build reuses it).
# 2. bench/load/gen_cluster.py renders a synthetic cluster (manifests + a dnsperf query file).
# 3. soak.py starts `clusterdns -conf` on 127.0.0.1 with prometheus and kubernetes fed by --source: `api` (default,
#    the production path: list/watch from the test API server of bench/ClusterDns.Benchmarks, which creates a
#    Service, probes DNS until it answers, deletes it, round after round) or `manifests` (our extension: a writer
#    rewrites churn.yaml, creating, re-addressing and deleting Services --changes-per-second times a second).
#    Meanwhile dnsperf runs at a fixed rate and a sampler scrapes /metrics every 10 s (RSS, GC collections and
#    pause time).
# Reports: queries sent/completed/lost (dnsperf), RSS over time and its growth after warm-up, GC pauses per
# interval, changes made and (api) watch-event-to-answer latency. Exit status 1 if any query was lost or a change
# was never served. Bounded: the whole run is killed after minutes + 3. Needs dnsperf, python3, dotnet.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/out"
minutes="" rate="" services=2000 changes="" skip_build=0 source=api faults=0 scale=1 compact_every=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        --services) services="$2"; shift 2 ;;
        --changes-per-second) changes="$2"; shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        --source) source="$2"; shift 2 ;;
        --faults) faults=1; shift ;;
        --fault-scale) scale="$2"; shift 2 ;;
        --compact-every) compact_every="$2"; shift 2 ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [[ $faults -eq 1 ]]; then
    minutes="${minutes:-60}" rate="${rate:-2000}" changes="${changes:-2}"
else
    minutes="${minutes:-3}" rate="${rate:-10000}" changes="${changes:-5}"
fi
for tool in dnsperf python3 dotnet; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done

mkdir -p "$out"
if [[ $skip_build -eq 0 || ! -f "$out/clusterdns/clusterdns.dll" ]]; then
    (cd "$repo" && flock /tmp/clusterdns-build.lock dotnet publish src/ClusterDns -c Release -o "$out/clusterdns" >/dev/null)
fi
if [[ ( $source == api || $faults -eq 1 ) && ( $skip_build -eq 0 || ! -f "$out/benchmarks/ClusterDns.Benchmarks.dll" ) ]]; then
    (cd "$repo" && flock /tmp/clusterdns-build.lock dotnet build bench/ClusterDns.Benchmarks -c Release -o "$out/benchmarks" >/dev/null)
fi
python3 "$repo/bench/load/gen_cluster.py" "$out/data" --services "$services" >/dev/null
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); commit $(git -C "$repo" rev-parse --short HEAD)"
if [[ $faults -eq 1 ]]; then
    exec timeout $(( (minutes + 5) * 60 )) python3 "$here/faults.py" --publish "$out/clusterdns" --data "$out/data" \
        --work "$out/work-faults" --seconds $(( minutes * 60 )) --rate "$rate" --changes-per-second "$changes" \
        --fault-scale "$scale" --compact-every "$compact_every" --bench-dll "$out/benchmarks/ClusterDns.Benchmarks.dll"
fi
timeout $(( (minutes + 3) * 60 )) python3 "$here/soak.py" --publish "$out/clusterdns" --data "$out/data" \
    --work "$out/work" --seconds $(( minutes * 60 )) --rate "$rate" --changes-per-second "$changes" \
    --source "$source" --bench-dll "$out/benchmarks/ClusterDns.Benchmarks.dll"
