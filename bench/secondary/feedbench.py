#!/usr/bin/env python3
"""Zone feed benchmark (see run.sh): central ClusterDns -> node caches with `secondary`, all on 127.0.0.1.

Prints and writes (--results) one JSON object:
  node_ready_s          node cache start to its first correct answer (the first AXFR of the whole zone)
  node_rss_mb           the node cache's RSS holding the zone, after the first run
  central_rss_mb        the central replica's RSS then (its IXFR journal holds one copy of the zone as records)
  fresh_p50_ms/p99_ms   API write -> first correct answer at node cache 1, CHANGES Service creations, under dnsperf
  central_cpu_ms_per_change_1 / _n   the central replica's CPU (user+system) per change with 1 and with N nodes
  central_cpu_ms_per_change_per_node the difference, per added node
  ixfr_bytes_per_change_per_node     transfer bytes node 1 received per change (IXFR answers; NOTIFY is ~2x60 B more)
  ixfr_per_change                    IXFRs node 1 made per change (below 1 when a NOTIFY covers several changes)
"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def dig_short(port, name, qtype="A"):
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+short", "+time=1", "+tries=1", name, qtype],
                         capture_output=True, text=True, timeout=10).stdout
    # Only answer lines: dig prints ";; ..." lines on timeouts and refused connections.
    return [line.strip() for line in out.splitlines() if line.strip() and not line.startswith(";")]


def metric(port, name, labels):
    import urllib.request
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    m = re.search(re.escape(name) + r"\{" + re.escape(labels) + r"\} (\S+)", text)
    return float(m.group(1)) if m else float("nan")


class Proc:
    def __init__(self, name, cmd, work, env=None):
        self.log = open(os.path.join(work, name + ".log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--publish", required=True)
    p.add_argument("--bench-dll", required=True)
    p.add_argument("--changes", type=int, default=1000)
    p.add_argument("--nodes", type=int, default=4)
    p.add_argument("--rate", type=int, default=5000)
    p.add_argument("--results")
    args = p.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    env = dict(os.environ, DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="1", DOTNET_TieredPGO="1", DOTNET_gcServer="0")
    dll = os.path.join(args.publish, "clusterdns.dll")
    procs = []
    try:
        kubeconfig = os.path.join(args.work, "kubeconfig")
        api = subprocess.Popen(["dotnet", args.bench_dll, "fake-api", "--objects", os.path.join(args.data, "objects.jsonl"),
                                "--kubeconfig", kubeconfig], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
        line = api.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError(f"fake API server did not start: {line!r}")

        central_port, central_metrics = free_port(), free_port()
        node_ports = [free_port() for _ in range(args.nodes)]
        node_metrics = [free_port() for _ in range(args.nodes)]
        notify = " ".join(f"127.0.0.1:{p}" for p in node_ports)
        corefile = os.path.join(args.work, "central.Corefile")
        with open(corefile, "w") as f:
            f.write(f"cluster.local:{central_port} {{\n    bind 127.0.0.1\n    kubernetes cluster.local {{\n"
                    f"        kubeconfig {kubeconfig}\n        ttl 30\n    }}\n    transfer {{\n        to {notify}\n    }}\n"
                    f"    prometheus 127.0.0.1:{central_metrics}\n}}\n")
        central = Proc("central", ["dotnet", dll, "-conf", corefile], args.work, env)
        procs.append(central)
        deadline = time.monotonic() + 300
        while dig_short(central_port, "svc0.ns0.svc.cluster.local.") == []:
            if central.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("central did not become ready; see central.log")
            time.sleep(0.1)

        def start_node(i):
            path = os.path.join(args.work, f"node{i}.Corefile")
            with open(path, "w") as f:
                f.write(f"cluster.local:{node_ports[i]} {{\n    bind 127.0.0.1\n    secondary {{\n"
                        f"        transfer from 127.0.0.1:{central_port}\n    }}\n    prometheus 127.0.0.1:{node_metrics[i]}\n}}\n")
            started = time.monotonic()
            node = Proc(f"node{i}", ["dotnet", dll, "-conf", path], args.work, env)
            procs.append(node)
            while dig_short(node_ports[i], "svc0.ns0.svc.cluster.local.") == []:
                if node.proc.poll() is not None or time.monotonic() > started + 300:
                    raise RuntimeError(f"node {i} did not become ready; see node{i}.log")
                time.sleep(0.05)
            return node, time.monotonic() - started

        node1, node_ready = start_node(0)

        def run(label):
            zone = 'zone="cluster.local."'
            bytes0 = metric(node_metrics[0], "coredns_secondary_transfer_bytes_total", zone)
            ixfr0 = metric(node_metrics[0], "coredns_secondary_transfers_total", zone + ',type="ixfr"')
            cpu0 = cpu_seconds(central.proc.pid)
            load = subprocess.Popen(["dnsperf", "-s", "127.0.0.1", "-p", str(node_ports[0]), "-d",
                                     os.path.join(args.data, "queries.txt"), "-l", "3600", "-Q", str(args.rate), "-c", "2", "-q", "100"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            try:
                time.sleep(1)
                api.stdin.write(f"fresh {args.changes} {node_ports[0]}\n")
                api.stdin.flush()
                result = api.stdout.readline()
            finally:
                os.killpg(load.pid, signal.SIGINT)
                load.wait()
            if not result.startswith("fresh"):
                raise RuntimeError(f"freshness probe failed: {result!r}")
            fresh = {k: float(v) for k, v in (kv.split("=") for kv in result.split()[1:])}
            cpu = cpu_seconds(central.proc.pid) - cpu0
            got = metric(node_metrics[0], "coredns_secondary_transfer_bytes_total", zone) - bytes0
            ixfrs = metric(node_metrics[0], "coredns_secondary_transfers_total", zone + ',type="ixfr"') - ixfr0
            print(f"{label}: fresh {fresh}, central cpu {cpu:.2f} s, node1 bytes {got:.0f}, ixfr {ixfrs:.0f}", flush=True)
            return fresh, cpu, got, ixfrs

        fresh1, cpu1, bytes1, ixfr1 = run("1 node")
        rss = rss_mb(node1.proc.pid)
        central_rss = rss_mb(central.proc.pid)
        for i in range(1, args.nodes):
            start_node(i)
        freshn, cpun, bytesn, ixfrn = run(f"{args.nodes} nodes")
        n = args.changes
        results = {
            "services": sum(1 for _ in open(os.path.join(args.data, "objects.jsonl"))),
            "changes": n, "nodes": args.nodes, "rate": args.rate,
            "node_ready_s": round(node_ready, 2), "node_rss_mb": round(rss, 1), "central_rss_mb": round(central_rss, 1),
            "fresh_p50_ms": fresh1.get("p50_ms"), "fresh_p99_ms": fresh1.get("p99_ms"), "fresh_timeouts": fresh1.get("timeouts"),
            "fresh_p50_ms_n": freshn.get("p50_ms"), "fresh_p99_ms_n": freshn.get("p99_ms"),
            "central_cpu_ms_per_change_1": round(cpu1 * 1000 / n, 3),
            "central_cpu_ms_per_change_n": round(cpun * 1000 / n, 3),
            "central_cpu_ms_per_change_per_node": round((cpun - cpu1) * 1000 / n / max(1, args.nodes - 1), 3),
            "ixfr_bytes_per_change_per_node": round(bytes1 / n, 1),
            "ixfr_per_change": round(ixfr1 / n, 3),
            "loadavg": open("/proc/loadavg").read().split()[:3],
        }
        print(json.dumps(results, indent=2))
        if args.results:
            with open(args.results, "w") as f:
                json.dump(results, f, indent=2)
    finally:
        for proc in reversed(procs):
            proc.stop()
        if 'api' in locals() and api.poll() is None:
            api.stdin.close()
            try:
                api.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(api.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
