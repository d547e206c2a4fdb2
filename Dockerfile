# ClusterDns container image: `docker build -t clusterdns:0.1.0 .` from the repository root.
# A test (tests/ClusterDns.Deploy.Tests) runs this build stage's COPY and RUN steps, so keep them plain.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG RID=linux-x64
WORKDIR /src
# Project files first: the restore layer stays cached until a project or package version changes.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/ClusterDns.Protocol/ClusterDns.Protocol.csproj src/ClusterDns.Protocol/
COPY src/ClusterDns.Kubernetes/ClusterDns.Kubernetes.csproj src/ClusterDns.Kubernetes/
COPY src/ClusterDns.Corefile/ClusterDns.Corefile.csproj src/ClusterDns.Corefile/
COPY src/ClusterDns.Server/ClusterDns.Server.csproj src/ClusterDns.Server/
COPY src/ClusterDns/ClusterDns.csproj src/ClusterDns/
RUN dotnet restore src/ClusterDns -r $RID -p:PublishReadyToRun=true
COPY src/ src/
# ReadyToRun: precompiled code, so a new pod answers at full speed at once (Native AOT is not available from
# the package registry we build from). Framework-dependent: the runtime comes from the base image below.
RUN dotnet publish src/ClusterDns --no-restore -c Release -r $RID --self-contained false -p:PublishReadyToRun=true -o /app

# The NodeLocal DNSCache image (`docker build --target node-cache -t clusterdns-node-cache:0.1.0 .`, used by
# deploy/node-local): the same program, plus the iptables binary its rules are installed with, as the node-cache
# image has. It runs as root with NET_ADMIN, as node-cache does. Not the default target: that is the last stage.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS node-cache
RUN apt-get update && apt-get install -y --no-install-recommends iptables && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
EXPOSE 53/udp 53/tcp 9253 9353 8080
# The node-local-dns DaemonSet's args (-localip … -conf /etc/Corefile -upstreamsvc kube-dns-upstream) follow unchanged.
ENTRYPOINT ["dotnet", "/app/clusterdns.dll", "node-cache"]

# aspnet, not runtime: the health, ready and metrics endpoints run on Kestrel.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app /app
# The images' unprivileged `app` user, by number so that Kubernetes can check runAsNonRoot.
USER 1654
# DNS, Prometheus metrics (prometheus :9153), liveness (health :8080), readiness (ready :8181).
EXPOSE 53/udp 53/tcp 9153 8080 8181
# The coredns Deployment's args (-conf /etc/coredns/Corefile) follow this entrypoint unchanged.
ENTRYPOINT ["dotnet", "/app/clusterdns.dll"]
