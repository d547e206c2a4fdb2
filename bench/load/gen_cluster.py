#!/usr/bin/env python3
"""Renders one synthetic cluster three ways, so every server answers the same data:

  manifests/<namespace>.yaml   Services and EndpointSlices for ClusterDns (`kubernetes { manifests DIR }`)
  cluster.local.zone           the same records as an RFC 1035 master file for Knot DNS and NSD
  objects.jsonl                the same objects as API JSON ("resource TAB json" per line) for the test API
                               server (bench/ClusterDns.Benchmarks fake-api), ClusterDns's production path
  queries.txt                  a dnsperf query file: 70% A hits, 10% SRV, 10% AAAA NODATA,
                               10% NXDOMAIN names as the ndots:5 search list produces them
  example.net.zone             EXTERNAL outside names (A and AAAA each), served by the loopback upstream of the
                               pod-traffic mix (and, for Knot and NSD, as a second plain zone beside the cluster's)
  unbound-local.conf           the cluster zone as unbound `local-zone`/`local-data` lines (unbound as a caching peer)
  queries-pod.txt              the pod-traffic mix: what glibc/musl send for a lookup from a pod of a random
                               namespace with `search NS.svc.cluster.local svc.cluster.local cluster.local` and
                               `ndots:5`. Half are outside names (extK.example.net: three NXDOMAIN expansions, then
                               the name itself, answered by forward + cache), half are `svcN.nsM` short names (one
                               NXDOMAIN expansion, then the Service); each lookup asks A and AAAA for every candidate.

Cluster: SERVICES ClusterIP Services with two named ports (http/80, grpc/9090) spread over NAMESPACES
namespaces, plus SERVICES/10 headless Services whose EndpointSlice holds 5 ready endpoints (no hostname, so
endpoint names are the dashed IPs, as CoreDNS and ClusterDns name them) and one named port (tcp-app/8080).
The zone holds exactly the records ClusterDns derives (see ClusterRecordGenerator): A per Service,
SRV per named port at _port._proto.svc and at the Service name itself (CoreDNS's weights), A per
endpoint at the Service and at the endpoint name. Reverse zones are left out on all three servers.

Usage: gen_cluster.py OUTDIR [--services N] [--namespaces N] [--queries N] [--seed N] [--pods N] [--external N]
"""
import argparse
import json
import os
import random
import sys

ZONE = "cluster.local"
TTL = 30


def cluster_ip(i):
    # 10.96.0.0/12 from 10.96.1.0 up: room for a million Services.
    n = (1 << 8) + i
    return f"10.{96 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}"


def endpoint_ip(i):
    n = (1 << 8) + i
    return f"10.{128 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--services", type=int, default=10000)
    parser.add_argument("--namespaces", type=int, default=100)
    parser.add_argument("--queries", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--pods", type=int, default=0,
                        help="running Pods (API objects only, spread over the namespaces): what `pods verified` and autopath keep")
    parser.add_argument("--external", type=int, default=1000,
                        help="outside names in example.net.zone, asked by the pod-traffic mix")
    args = parser.parse_args()
    if args.services < 1 or args.namespaces < 1 or args.queries < 1 or args.external < 1:
        sys.exit("gen_cluster.py: --services, --namespaces, --queries and --external must be positive")

    headless_count = max(1, args.services // 10)
    manifests = os.path.join(args.outdir, "manifests")
    os.makedirs(manifests, exist_ok=True)
    for old in os.listdir(manifests):
        os.remove(os.path.join(manifests, old))

    per_ns = {f"ns{n}": [] for n in range(args.namespaces)}
    api = [("namespaces", {"metadata": {"name": ns}}) for ns in per_ns]
    zone = [
        f"$ORIGIN {ZONE}.",
        f"$TTL {TTL}",
        f"@ IN SOA ns.dns.{ZONE}. hostmaster.{ZONE}. 1 7200 1800 86400 {TTL}",
        f"@ IN NS ns.dns.{ZONE}.",
        "ns.dns IN A 127.0.0.1",
        'dns-version IN TXT "1.1.0"',
    ]
    cluster_names, headless_names = [], []

    for i in range(args.services):
        ns = f"ns{i % args.namespaces}"
        svc = f"svc{i}"
        ip = cluster_ip(i)
        per_ns[ns].append(
            f"apiVersion: v1\nkind: Service\nmetadata: {{name: {svc}, namespace: {ns}}}\n"
            f"spec:\n  type: ClusterIP\n  clusterIP: {ip}\n  clusterIPs: [{ip}]\n  ports:\n"
            f"  - {{name: http, port: 80, protocol: TCP, targetPort: 8080}}\n"
            f"  - {{name: grpc, port: 9090, protocol: TCP, targetPort: 9090}}\n")
        api.append(("services", {"metadata": {"name": svc, "namespace": ns}, "spec": {
            "type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip],
            "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
                      {"name": "grpc", "port": 9090, "protocol": "TCP", "targetPort": 9090}]}}))
        owner = f"{svc}.{ns}.svc"
        zone += [f"{owner} IN A {ip}",
                 f"_http._tcp.{owner} IN SRV 0 100 80 {owner}.{ZONE}.",
                 f"_grpc._tcp.{owner} IN SRV 0 100 9090 {owner}.{ZONE}.",
                 f"{owner} IN SRV 0 50 80 {owner}.{ZONE}.",
                 f"{owner} IN SRV 0 50 9090 {owner}.{ZONE}."]
        cluster_names.append(owner)

    for h in range(headless_count):
        ns = f"ns{h % args.namespaces}"
        svc = f"headless{h}"
        ips = [endpoint_ip(h * 5 + e) for e in range(5)]
        endpoints = "".join(f"- {{addresses: [{ip}], conditions: {{ready: true}}}}\n" for ip in ips)
        per_ns[ns].append(
            f"apiVersion: v1\nkind: Service\nmetadata: {{name: {svc}, namespace: {ns}}}\n"
            f"spec:\n  clusterIP: None\n  clusterIPs: [None]\n  ports:\n"
            f"  - {{name: tcp-app, port: 8080, protocol: TCP, targetPort: 8080}}\n"
            "---\n"
            f"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
            f"metadata: {{name: {svc}-abcde, namespace: {ns}, labels: {{kubernetes.io/service-name: {svc}}}}}\n"
            f"addressType: IPv4\nendpoints:\n{endpoints}"
            f"ports:\n- {{name: tcp-app, port: 8080, protocol: TCP}}\n")
        port = {"name": "tcp-app", "port": 8080, "protocol": "TCP"}
        api.append(("services", {"metadata": {"name": svc, "namespace": ns}, "spec": {
            "clusterIP": "None", "clusterIPs": ["None"], "ports": [dict(port, targetPort=8080)]}}))
        api.append(("endpointslices", {
            "metadata": {"name": f"{svc}-abcde", "namespace": ns, "labels": {"kubernetes.io/service-name": svc}},
            "addressType": "IPv4", "endpoints": [{"addresses": [ip], "conditions": {"ready": True}} for ip in ips],
            "ports": [port]}))
        owner = f"{svc}.{ns}.svc"
        for ip in ips:
            dashed = ip.replace(".", "-")
            zone += [f"{owner} IN A {ip}",
                     f"{dashed}.{owner} IN A {ip}",
                     f"_tcp-app._tcp.{owner} IN SRV 0 20 8080 {dashed}.{owner}.{ZONE}.",
                     f"{owner} IN SRV 0 20 8080 {dashed}.{owner}.{ZONE}."]
        headless_names.append(owner)

    for ns, docs in per_ns.items():
        with open(os.path.join(manifests, f"{ns}.yaml"), "w") as f:
            f.write(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n")
            f.write("---\n".join(docs))
    for p in range(args.pods):
        # Pod IPs from 10.244.0.0/14 (a node's /24 each), one IP per pod, as a single-stack cluster gives them.
        n = (1 << 8) + p
        ip = f"10.{244 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}"
        api.append(("pods", {"metadata": {"name": f"pod{p}", "namespace": f"ns{p % args.namespaces}"},
                             "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]}}))
    with open(os.path.join(args.outdir, "objects.jsonl"), "w") as f:
        for resource, obj in api:
            f.write(f"{resource}\t{json.dumps(obj, separators=(',', ':'))}\n")
    with open(os.path.join(args.outdir, f"{ZONE}.zone"), "w") as f:
        f.write("\n".join(zone) + "\n")

    # What "ready" means to loadbench.py: the first and last objects answer and misses are NXDOMAIN
    # (ClusterDns answers SERVFAIL for misses until its first list is complete).
    last = headless_names[-1]
    with open(os.path.join(args.outdir, "probes.txt"), "w") as f:
        f.write(f"{cluster_names[0]}.{ZONE}. A NOERROR 1\n{cluster_names[-1]}.{ZONE}. A NOERROR 1\n"
                f"{last}.{ZONE}. A NOERROR 5\nnot-a-service.ns0.svc.{ZONE}. A NXDOMAIN 0\n")

    rng = random.Random(args.seed)
    searches = ["{ns}.svc." + ZONE, "svc." + ZONE, ZONE]
    with open(os.path.join(args.outdir, "queries.txt"), "w") as f:
        for _ in range(args.queries):
            roll = rng.random()
            if roll < 0.70:
                # A hits: nine in ten ClusterIP Services, one in ten headless (5 addresses).
                pool = headless_names if rng.random() < 0.1 else cluster_names
                f.write(f"{rng.choice(pool)}.{ZONE} A\n")
            elif roll < 0.80:
                f.write(f"_http._tcp.{rng.choice(cluster_names)}.{ZONE} SRV\n")
            elif roll < 0.90:
                f.write(f"{rng.choice(cluster_names)}.{ZONE} AAAA\n")
            else:
                # A pod in namespace X resolving "svcN.nsM.svc.cluster.local" (4 dots < ndots:5) tries its
                # search list first: each expansion is an NXDOMAIN inside the cluster zone.
                owner = rng.choice(cluster_names)
                suffix = rng.choice(searches).format(ns=f"ns{rng.randrange(args.namespaces)}")
                f.write(f"{owner}.{ZONE}.{suffix} A\n")
    write_pod_traffic(args, rng, zone, cluster_names, headless_names)
    print(f"{args.services} ClusterIP + {headless_count} headless Services, {args.pods} pods in {args.namespaces} namespaces, "
          f"{len(zone)} zone lines, {args.queries} queries -> {args.outdir}")


def write_pod_traffic(args, rng, zone, cluster_names, headless_names):
    """example.net.zone, unbound-local.conf and queries-pod.txt (see the module's docstring)."""
    external = [f"ext{k}.example.net" for k in range(args.external)]
    with open(os.path.join(args.outdir, "example.net.zone"), "w") as f:
        f.write("$ORIGIN example.net.\n$TTL 300\n"
                "@ IN SOA ns.example.net. hostmaster.example.net. 1 7200 1800 86400 300\n"
                "@ IN NS ns.example.net.\nns IN A 127.0.0.1\n")
        for k in range(args.external):
            f.write(f"ext{k} IN A 198.51.{100 + (k >> 8) % 4}.{k & 255}\n"
                    f"ext{k} IN AAAA 2001:db8::{k:x}\n")
    # unbound: the cluster zone as static local data (what it does not hold is NXDOMAIN), the rest forwarded.
    with open(os.path.join(args.outdir, "unbound-local.conf"), "w") as f:
        f.write(f'    local-zone: "{ZONE}." static\n')
        origin = ZONE + "."
        for line in zone:
            if line.startswith("$"):
                continue
            owner, rest = line.split(" ", 1)
            name = origin if owner == "@" else f"{owner}.{origin}"
            # Single quotes outside: the TXT record's own quotes stay as they are.
            f.write(f"    local-data: '{name} {TTL} {rest}'\n")
    # A lookup from a pod of namespace P: every candidate of the search list in order, A and AAAA each,
    # until the first that exists (glibc sends the pair on one socket; musl in parallel; both wait for both).
    with open(os.path.join(args.outdir, "queries-pod.txt"), "w") as f:
        for _ in range(max(1, args.queries // 8)):
            pod_ns = f"ns{rng.randrange(args.namespaces)}"
            search = [f"{pod_ns}.svc.{ZONE}", f"svc.{ZONE}", ZONE]
            if rng.random() < 0.5:
                name = rng.choice(external)
                candidates = [f"{name}.{s}" for s in search] + [name]
            else:
                service = rng.choice(headless_names if rng.random() < 0.1 else cluster_names)
                short = service[:-len(".svc")]  # svcN.nsM
                candidates = [f"{short}.{search[0]}", f"{short}.svc.{ZONE}"]
            for candidate in candidates:
                f.write(f"{candidate} A\n{candidate} AAAA\n")


if __name__ == "__main__":
    main()
