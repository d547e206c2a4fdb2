#!/usr/bin/env bash
# Installs the Debian tools the tests use as real peers (when missing), then runs every test, and then the
# end-to-end suite a second time against the shipped build: the Native AOT executable (clusterdns published once
# with `dotnet publish src/ClusterDns -c Release -r linux-x64`, named to the tests by CLUSTERDNS_BINARY).
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
  [clang]=clang
  [setcap]=libcap2-bin
  [getcap]=libcap2-bin
)
missing=()
for tool in "${!tools[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${tools[$tool]}")
done
# Native AOT links the executable with clang against zlib (a library, so checked by its header).
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
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

# The shipped build: published native once, then the end-to-end suite again against it.
native="$PWD/artifacts/native"
started=$SECONDS
dotnet publish src/ClusterDns -c Release -r linux-x64 --nologo -v quiet -o "$native"
echo "Native AOT publish: $((SECONDS - started)) s"
started=$SECONDS
CLUSTERDNS_BINARY="$native/clusterdns" dotnet test tests/ClusterDns.EndToEnd.Tests -c Release --no-build --nologo "$@"
echo "End-to-end suite against the native build: $((SECONDS - started)) s"
