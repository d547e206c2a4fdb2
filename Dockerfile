# ClusterDns container image: `docker build -t clusterdns:0.1.0 .` from the repository root (BuildKit, Docker's
# default builder since 23.0: it keeps the file capability set below through COPY --from).
# A test (tests/ClusterDns.Deploy.Tests) runs this build stage's COPY and RUN steps, so keep them plain.

# The -aot SDK image carries what Native AOT links with (clang, zlib headers).
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble-aot AS build
ARG RID=linux-x64
WORKDIR /src
# Project files first: the restore layer stays cached until a project or package version changes.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Directory.Build.props src/
COPY src/ClusterDns.Protocol/ClusterDns.Protocol.csproj src/ClusterDns.Protocol/
COPY src/ClusterDns.Kubernetes/ClusterDns.Kubernetes.csproj src/ClusterDns.Kubernetes/
COPY src/ClusterDns.Corefile/ClusterDns.Corefile.csproj src/ClusterDns.Corefile/
COPY src/ClusterDns.Server/ClusterDns.Server.csproj src/ClusterDns.Server/
COPY src/ClusterDns/ClusterDns.csproj src/ClusterDns/
RUN dotnet restore src/ClusterDns -r $RID
COPY src/ src/
# Native AOT (PublishAot follows from the runtime identifier): one self-contained executable, no runtime in the image.
RUN dotnet publish src/ClusterDns --no-restore -c Release -r $RID -o /app
# The non-root user binds :53 through this file capability (docs/operations.md: "Port 53 without root").
RUN command -v setcap >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends libcap2-bin)
RUN setcap cap_net_bind_service=+ep /app/clusterdns

# The NodeLocal DNSCache image (`docker build --target node-cache -t clusterdns-node-cache:0.1.0 .`, used by
# deploy/node-local): the same native program, plus the iptables binary its rules are installed with, as the
# node-cache image has (runtime-deps, not chiseled: iptables needs a package manager to install and its libraries).
# It runs as root with NET_ADMIN, as node-cache does. Not the default target: that is the last stage.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble AS node-cache
RUN apt-get update && apt-get install -y --no-install-recommends iptables && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
EXPOSE 53/udp 53/tcp 9253 9353 8080
# The node-local-dns DaemonSet's args (-localip … -conf /etc/Corefile -upstreamsvc kube-dns-upstream) follow unchanged.
ENTRYPOINT ["/app/clusterdns", "node-cache"]

# runtime-deps, chiseled: glibc, libssl (HTTPS to the API server, DNS over TLS) and CA certificates; no shell, no
# package manager, no ICU (InvariantGlobalization) and no .NET runtime, which is inside the executable.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled
WORKDIR /app
COPY --from=build /app /app
# The images' unprivileged `app` user, by number so that Kubernetes can check runAsNonRoot.
USER 1654
# DNS, Prometheus metrics (prometheus :9153), liveness (health :8080), readiness (ready :8181).
EXPOSE 53/udp 53/tcp 9153 8080 8181
# The coredns Deployment's args (-conf /etc/coredns/Corefile) follow this entrypoint unchanged.
ENTRYPOINT ["/app/clusterdns"]
