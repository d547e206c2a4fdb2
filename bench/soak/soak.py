#!/usr/bin/env python3
"""Soak run driver (see run.sh): server, dnsperf, churn writer and metrics sampler, then a report."""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnsprobe  # noqa: E402

DNS_PORT, METRICS_PORT = 15454, 19154


def query_a(name, timeout=1.0):
    """One checked A query over UDP (dnsprobe.ask: our ID and question only); returns (rcode, [addresses])."""
    reply = dnsprobe.ask(name, DNS_PORT, timeout=timeout)
    return reply.rcode, reply.addresses


def stop_server(server):
    """SIGTERM (the server drains), then SIGKILL after 20 s."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def try_ready(name):
    """True when NAME answers NOERROR."""
    try:
        return query_a(name)[0] == 0
    except OSError:
        return False


def dnsperf_args(port, queries, seconds, rate):
    return ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries, "-l", str(seconds), "-Q", str(rate),
            "-c", "8", "-q", "1000", "-t", "5"]


def http_status(port, path):
    """The HTTP status of GET 127.0.0.1:PORT/PATH, or 0 when it does not answer."""
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2).status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def scrape():
    text = urllib.request.urlopen(f"http://127.0.0.1:{METRICS_PORT}/metrics", timeout=5).read().decode()
    def value(pattern):
        total = 0.0
        for m in re.finditer(r"^" + pattern + r"(?:\{[^}]*\})? ([0-9.e+-]+)$", text, re.M):
            total += float(m.group(1))
        return total
    return {
        "rss": value("process_resident_memory_bytes"),
        "heap": value("system_runtime_dotnet_gc_last_collection_heap_size"),
        "pause": value("system_runtime_dotnet_gc_pause_time"),
        "gcs": value("dotnet_collection_count_total"),
        "cpu": value("process_cpu_seconds_total"),
        "reload_failed": value("coredns_reload_failed_total"),
    }


class Churn(threading.Thread):
    """Rewrites churn.yaml: Service churn<k> is created, re-addressed and deleted in a rolling window."""

    def __init__(self, manifests, per_second, stop):
        super().__init__(daemon=True)
        self.path, self.per_second, self.stop = os.path.join(manifests, "churn.yaml"), per_second, stop
        self.changes, self.latest = 0, None  # latest: (name, ip) of the newest Service

    def run(self):
        live, k = {}, 0
        while not self.stop.is_set():
            k += 1
            name = f"churn{k % 50}"
            ip = f"10.200.{(k // 250) % 250}.{k % 250 + 1}"
            live[name] = ip  # create or re-address
            if len(live) > 30:
                live.pop(next(iter(live)))  # delete the oldest
            docs = [f"apiVersion: v1\nkind: Service\nmetadata: {{name: {n}, namespace: churn}}\n"
                    f"spec:\n  type: ClusterIP\n  clusterIP: {a}\n  clusterIPs: [{a}]\n" for n, a in live.items()]
            tmp = self.path + ".tmp"
            with open(tmp, "w") as f:
                f.write("apiVersion: v1\nkind: Namespace\nmetadata: {name: churn}\n---\n" + "---\n".join(docs))
            os.replace(tmp, self.path)
            self.changes += 1
            self.latest = (name, ip)
            self.stop.wait(1.0 / self.per_second)


class ApiChurn(threading.Thread):
    """Production path: the test API server creates a Service, the probe asks for it until it answers, then
    deletes it (bench/ClusterDns.Benchmarks FreshnessProbe), in rounds of `batch`, for the whole run."""

    def __init__(self, api, batch, stop):
        super().__init__(daemon=True)
        self.api, self.batch, self.stop = api, batch, stop
        self.changes, self.rounds, self.timeouts, self.p99s, self.maxes, self.p50s = 0, 0, 0, [], [], []

    def run(self):
        while not self.stop.is_set():
            self.api.stdin.write(f"fresh {self.batch} {DNS_PORT}\n")
            self.api.stdin.flush()
            line = self.api.stdout.readline()
            if not line.startswith("fresh"):
                break
            fields = {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
            self.rounds += 1
            self.changes += 2 * self.batch  # create + delete
            self.timeouts += int(fields.get("timeouts", 0))
            self.p50s.append(fields["p50_ms"])
            self.p99s.append(fields["p99_ms"])
            self.maxes.append(fields["max_ms"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--publish", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--seconds", type=int, default=180)
    p.add_argument("--rate", type=int, default=10000)
    p.add_argument("--changes-per-second", type=float, default=5)
    p.add_argument("--warmup", type=int, default=30)
    p.add_argument("--source", choices=["api", "manifests"], default="api")
    p.add_argument("--bench-dll", default="", help="ClusterDns.Benchmarks.dll (the test API server) for --source api")
    args = p.parse_args()

    shutil.rmtree(args.work, ignore_errors=True)
    manifests = os.path.join(args.work, "manifests")
    shutil.copytree(os.path.join(args.data, "manifests"), manifests)
    corefile = os.path.join(args.work, "Corefile")
    api = None
    if args.source == "api":
        kubeconfig = os.path.join(args.work, "kubeconfig")
        api = subprocess.Popen(["dotnet", args.bench_dll, "fake-api", "--objects", os.path.join(args.data, "objects.jsonl"),
                                "--kubeconfig", kubeconfig], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = api.stdout.readline()
        if not line.startswith("ready"):
            sys.exit(f"soak: the test API server did not start: {line!r}")
        source = f"kubeconfig {kubeconfig}"
    else:
        source = "manifests manifests"
    with open(corefile, "w") as f:
        f.write(f".:{DNS_PORT} {{\n    bind 127.0.0.1\n    prometheus 127.0.0.1:{METRICS_PORT}\n"
                f"    kubernetes cluster.local {{\n        {source}\n        ttl 30\n    }}\n}}\n")
    env = dict(os.environ, DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="1", DOTNET_gcServer="0")
    log = open(os.path.join(args.work, "server.log"), "w")
    server = subprocess.Popen(["dotnet", os.path.join(args.publish, "clusterdns.dll"), "-conf", corefile],
                              cwd=args.work, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                if query_a("svc0.ns0.svc.cluster.local")[0] == 0:
                    break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                sys.exit("soak: the server did not become ready (see work/server.log)")
            time.sleep(0.2)

        stop = threading.Event()
        churn = ApiChurn(api, 50, stop) if api else Churn(manifests, args.changes_per_second, stop)
        churn.start()
        perf = subprocess.Popen(["dnsperf", "-s", "127.0.0.1", "-p", str(DNS_PORT), "-d", os.path.join(args.data, "queries.txt"),
                                 "-l", str(args.seconds), "-Q", str(args.rate), "-c", "8", "-q", "1000", "-t", "5"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        samples, stale, start = [], 0, time.time()
        while perf.poll() is None:
            time.sleep(10)
            t = time.time() - start
            m = scrape()
            m["t"] = t
            samples.append(m)
        output = perf.stdout.read()
        stop.set()
        churn.join()
        final_ok = True
        if not api:
            # The last change must be served once the manifest watcher has had its debounce.
            name, ip = churn.latest
            final_ok = False
            for _ in range(50):
                if ip in query_a(f"{name}.churn.svc.cluster.local")[1]:
                    final_ok = True
                    break
                time.sleep(0.1)
        else:
            final_ok = churn.timeouts == 0
    finally:
        if api and api.poll() is None:
            api.stdin.close()
            try:
                api.wait(timeout=10)
            except subprocess.TimeoutExpired:
                api.kill()
        stop_server(server)

    def num(pattern):
        m = re.search(pattern, output)
        return float(m.group(1)) if m else float("nan")
    sent, completed, lost = num(r"Queries sent:\s+(\d+)"), num(r"Queries completed:\s+(\d+)"), num(r"Queries lost:\s+(\d+)")
    latency_ms = num(r"Average Latency \(s\):\s+([0-9.]+)") * 1000
    print(f"dnsperf: {int(sent)} sent, {int(completed)} completed, {int(lost)} lost at {args.rate} q/s for {args.seconds} s; "
          f"average latency {latency_ms:.3f} ms")
    if api:
        p99s = sorted(churn.p99s)
        print(f"changes: {churn.changes} Service creations and deletions through list/watch ({churn.rounds} rounds of 50); "
              f"watch event to first correct answer: median of round medians {sorted(churn.p50s)[len(churn.p50s) // 2]:.1f} ms, "
              f"worst round p99 {p99s[-1]:.1f} ms, max {max(churn.maxes):.1f} ms, {churn.timeouts} never answered (5 s)")
    else:
        print(f"changes: {churn.changes} churn.yaml rewrites ({args.changes_per_second}/s); final state served: {final_ok}")
    print("   t(s)   RSS(MiB)  heap(MiB)  GCs  GC pause in interval (ms)  CPU in interval (s)")
    prev = None
    for s in samples:
        pause = (s["pause"] - prev["pause"]) * 1000 if prev else s["pause"] * 1000
        gcs = s["gcs"] - prev["gcs"] if prev else s["gcs"]
        cpu = s["cpu"] - prev["cpu"] if prev else s["cpu"]
        print(f"{s['t']:7.0f} {s['rss'] / 2**20:10.1f} {s['heap'] / 2**20:10.1f} {int(gcs):4d} {pause:25.1f} {cpu:20.2f}")
        prev = s
    warm = [s for s in samples if s["t"] >= args.warmup]
    if len(warm) >= 2:
        print(f"RSS after warm-up ({args.warmup} s): first {warm[0]['rss'] / 2**20:.1f} MiB, last {warm[-1]['rss'] / 2**20:.1f} MiB, "
              f"max {max(s['rss'] for s in warm) / 2**20:.1f} MiB")
    if samples:
        total_pause = samples[-1]["pause"] * 1000
        print(f"GC: {int(samples[-1]['gcs'])} collections, {total_pause:.1f} ms paused in total "
              f"({total_pause / max(samples[-1]['gcs'], 1):.2f} ms per collection)")
    sys.exit(0 if lost == 0 and final_ok else 1)


if __name__ == "__main__":
    main()
