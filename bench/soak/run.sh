#!/usr/bin/env bash
# Soak: ClusterDns under steady load and a steady stream of Service changes, for a bounded number of minutes.
#
#   bench/soak/run.sh [--minutes N] [--rate QPS] [--services N] [--changes-per-second N] [--skip-build]
#
# 1. Publishes ClusterDns (Release) through the build lock into bench/soak/out/clusterdns (--skip-build reuses it).
# 2. bench/load/gen_cluster.py renders a synthetic cluster (manifests + a dnsperf query file).
# 3. soak.py starts `clusterdns -conf` on 127.0.0.1 (kubernetes { manifests DIR }, prometheus), then for the whole
#    run: dnsperf at a fixed rate; a churn writer that rewrites churn.yaml (creates, re-addresses and deletes
#    Services) several times a second; a sampler that scrapes /metrics every 10 s (RSS, GC collections and pause
#    time) and checks that the newest churned Service answers with its newest address.
# Reports: queries sent/completed/lost (dnsperf), RSS over time and its growth after warm-up, GC pauses per
# interval, changes written and the last change's visibility. Exit status 1 if any query was lost or the final
# state was not served. Bounded: the whole run is killed after minutes + 3. Needs dnsperf, python3, dotnet.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/out"
minutes=3 rate=10000 services=2000 changes=5 skip_build=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        --services) services="$2"; shift 2 ;;
        --changes-per-second) changes="$2"; shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
for tool in dnsperf python3 dotnet; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done

mkdir -p "$out"
if [[ $skip_build -eq 0 || ! -f "$out/clusterdns/clusterdns.dll" ]]; then
    (cd "$repo" && flock /tmp/dotnet-build.lock dotnet publish src/ClusterDns -c Release -o "$out/clusterdns" >/dev/null)
fi
python3 "$repo/bench/load/gen_cluster.py" "$out/data" --services "$services" >/dev/null
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); commit $(git -C "$repo" rev-parse --short HEAD)"
timeout $(( (minutes + 3) * 60 )) python3 "$here/soak.py" --publish "$out/clusterdns" --data "$out/data" \
    --work "$out/work" --seconds $(( minutes * 60 )) --rate "$rate" --changes-per-second "$changes"
