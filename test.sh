#!/usr/bin/env bash
# Installs the Debian tools the tests use as real peers (when missing), then runs every test.
# Usage: ./test.sh [extra `dotnet test` arguments, e.g. --filter FullyQualifiedName~Kubernetes]
set -euo pipefail
cd "$(dirname "$0")"

# command → Debian package
declare -A tools=(
  [dig]=bind9-dnsutils
  [kdig]=knot-dnsutils
  [knotd]=knot
  [unbound]=unbound
  [busybox]=busybox
  [musl-gcc]=musl-tools
  [dnsperf]=dnsperf
  [promtool]=prometheus
  [ip]=iproute2
  [unshare]=util-linux
  [strace]=strace
  [kubectl]=kubernetes-client
  [iptables]=iptables
  [iptables-legacy]=iptables
)
missing=()
for tool in "${!tools[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${tools[$tool]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing test tools: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The packaged services must not hold the ports or files the tests use.
for service in knot unbound nsd prometheus; do
  (command -v systemctl >/dev/null && systemctl stop "$service" 2>/dev/null) || true
done

dotnet build ClusterDns.sln -c Release --nologo -v quiet
dotnet test ClusterDns.sln -c Release --no-build --nologo "$@"
