#!/usr/bin/env python3
"""Fault soak driver (run.sh --faults): ClusterDns with a kubeadm-style Corefile under steady dnsperf load while
Services churn through the test API server, which is killed and restarted (every few restarts with its history
compacted), the upstream is blackholed, and the Corefile is rewritten (every fifth version invalid). A prober
that knows the true state counts wrong answers. All intervals are multiplied by --fault-scale."""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import soak  # noqa: E402
from faultparts import Api, Prober, Truth, Upstream, UPSTREAM_ZONE, cluster_objects, tear_down  # noqa: E402
from faultreport import report  # noqa: E402

DNS_PORT, METRICS_PORT, HEALTH_PORT, READY_PORT, UPSTREAM_PORT = 15454, 19154, 18154, 18254, 15455
KUBE_TTL = 5          # kubernetes `ttl`: the cache can hold an answer this long after a change
WINDOW = KUBE_TTL + 2  # convergence window of a change made while the API server is up
RESTART_WINDOW = 30    # ... and of a change made while it was down, counted from the restarted server's ready line


def corefile(kubeconfig, version, invalid):
    # Invalid: a bad prefetch amount, so the log must name Corefile line 20.
    cache = "cache 30 {\n        prefetch notanumber\n    }" if invalid else f"cache {30 + version % 7}"
    return (f"# version {version}\n.:{DNS_PORT} {{\n    bind 127.0.0.1\n    errors\n"
            f"    health 127.0.0.1:{HEALTH_PORT} {{\n        lameduck 5s\n    }}\n    ready 127.0.0.1:{READY_PORT}\n"
            f"    kubernetes cluster.local in-addr.arpa ip6.arpa {{\n        kubeconfig {kubeconfig}\n"
            f"        pods insecure\n        fallthrough in-addr.arpa ip6.arpa\n        ttl {KUBE_TTL}\n    }}\n"
            f"    prometheus 127.0.0.1:{METRICS_PORT}\n    forward . 127.0.0.1:{UPSTREAM_PORT} {{\n"
            f"        max_concurrent 1000\n    }}\n    {cache}\n    loop\n    reload 2s 1s\n    loadbalance\n}}\n")


def churn(api, truth, stop, per_second, log):
    """Rolling Services churn<k%50> in namespace churn: create or re-address one a step, delete the oldest
    beyond 30. Live changes go through the API server; while it is down they wait for the next start."""
    live, k = {}, 0
    while not stop.is_set():
        k += 1
        name, ip = f"churn{k % 50}", f"10.200.{(k // 250) % 250}.{k % 250 + 1}"
        svc = {"metadata": {"name": name, "namespace": "churn"},
               "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip]}}
        live.pop(name, None)
        live[name] = ip
        truth.begin(name)
        truth.record(name, ip, api.change("apply", "services", json.dumps(svc, separators=(",", ":"))))
        log.append(1)
        if len(live) > 30:
            old = next(iter(live))
            del live[old]
            truth.begin(old)
            truth.record(old, None, api.change("delete", "services", f"churn/{old}"))
            log.append(1)
        stop.wait(1.0 / per_second)


def segments(total, blackholes):
    """Upstream dnsperf segments: (start, length, excluded) cut at each blackhole window [s - 1, e + 6)."""
    out, t = [], 0.0
    for s, e in blackholes:
        a, b = max(s - 1, 0), min(e + 6, total)
        if a > t:
            out.append((t, a - t, False))
        if b > a:
            out.append((a, b - a, True))
        t = b
    if total > t:
        out.append((t, total - t, False))
    return [seg for seg in out if seg[1] >= 1]


def main():
    p = argparse.ArgumentParser()
    for flag in ("--publish", "--data", "--work", "--bench-dll"):
        p.add_argument(flag, required=True)
    p.add_argument("--seconds", type=int, default=3600)
    p.add_argument("--rate", type=int, default=2000, help="dnsperf q/s in total (85%% cluster names, 15%% upstream)")
    p.add_argument("--changes-per-second", type=float, default=2)
    p.add_argument("--fault-scale", type=float, default=1.0)
    p.add_argument("--compact-every", type=int, default=3, help="every Nth API restart (from the 2nd) is compacted")
    args = p.parse_args()
    sc = args.fault_scale
    api_every, api_down = 300 * sc, max(5.0, 20 * sc)
    hole_every, hole_len = 600 * sc, max(10.0, 30 * sc)
    rewrite_every, sample_every = 120 * sc, max(5.0, 30 * sc)

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    objects, stable = cluster_objects(args.data, args.work)
    upstream_queries = os.path.join(args.work, "upstream.txt")
    with open(upstream_queries, "w") as f:
        f.write("".join(f"host{i}.{UPSTREAM_ZONE} A\n" for i in range(5000)))

    upstream = Upstream(UPSTREAM_PORT, 2)
    api = Api(args.bench_dll, objects, args.work)
    api.start()
    core = os.path.join(args.work, "Corefile")
    with open(core, "w") as f:
        f.write(corefile(api.kubeconfig, 0, False))
    env = dict(os.environ, DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="1", DOTNET_gcServer="0")
    log_path = os.path.join(args.work, "server.log")
    server = subprocess.Popen(["dotnet", os.path.join(args.publish, "clusterdns.dll"), "-conf", core], cwd=args.work,
                              env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    stop, events, samples, changes, perfs = threading.Event(), [], [], [], []
    truth = Truth(WINDOW, RESTART_WINDOW)
    prober = Prober(truth, stable, stop)
    start = time.time()
    try:
        deadline = time.time() + 90
        # /ready first: before its first complete list the kubernetes plugin answers the names it has and SERVFAILs the rest.
        while not (soak.http_status(READY_PORT, "/ready") == 200 and soak.try_ready(stable[0][0])
                   and soak.try_ready(f"host1.{UPSTREAM_ZONE}")):
            if time.time() > deadline or server.poll() is not None:
                sys.exit("faults: the server did not become ready (see work/server.log)")
            time.sleep(0.2)
        start = time.time()
        threading.Thread(target=churn, args=(api, truth, stop, args.changes_per_second, changes), daemon=True).start()
        prober.start()
        perfs.append(("cluster", False, 0, subprocess.Popen(
            soak.dnsperf_args(DNS_PORT, os.path.join(args.data, "queries.txt"), args.seconds, int(args.rate * 0.85)),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
        blackholes = [(t, t + hole_len) for t in frange(hole_every, args.seconds - hole_len, hole_every)]
        plan = [(t, "api-kill") for t in frange(api_every, args.seconds - api_down - 5, api_every)]
        plan += [(s, "hole-on") for s, _ in blackholes] + [(e, "hole-off") for _, e in blackholes]
        plan += [(t, "rewrite") for t in frange(rewrite_every, args.seconds - 5, rewrite_every)]
        plan += [(s, "perf", (length, excluded)) for s, length, excluded in segments(args.seconds, blackholes)]
        plan += [(t, "sample") for t in frange(sample_every, args.seconds, sample_every)]
        plan.sort(key=lambda x: x[0])
        restarts, version = 0, 0
        for item in plan:
            at, what = item[0], item[1]
            stop.wait(max(0.0, start + at - time.time()))
            now = time.time() - start
            if server.poll() is not None:
                events.append((now, "crash", f"server exited with {server.returncode}"))
                break
            if what == "api-kill":  # in a thread, so a blackhole due meanwhile starts on time
                threading.Thread(target=restart_api, args=(api, truth, prober, restarts, restarts % args.compact_every == 1,
                                                           api_down, events, start), daemon=True).start()
                restarts += 1
            elif what in ("hole-on", "hole-off"):
                upstream.blackhole(what == "hole-on")
                events.append((now, what, ""))
            elif what == "rewrite":
                version += 1
                threading.Thread(target=rewrite, args=(core, api.kubeconfig, version, version % 5 == 0, log_path,
                                                       events, start), daemon=True).start()
            elif what == "perf":
                length, excluded = item[2]
                perfs.append(("upstream", excluded, now, subprocess.Popen(
                    soak.dnsperf_args(DNS_PORT, upstream_queries, max(1, int(length)), int(args.rate * 0.15)),
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
            elif what == "sample":
                m = soak.scrape()
                m["t"], m["ready"] = now, soak.http_status(READY_PORT, "/ready")
                m["health"] = soak.http_status(HEALTH_PORT, "/health")
                samples.append(m)
        outputs = [(kind, excluded, at, proc.communicate(timeout=args.seconds + 60)[0]) for kind, excluded, at, proc in perfs]
        stop.set()
        prober.join(timeout=5)
        crashed = server.poll() is not None
    finally:
        stop.set()
        tear_down([proc for *_, proc in perfs], api, upstream, server)
    ok = report(args, outputs, prober, events, samples, len(changes), crashed, log_path,
                {"window": WINDOW, "restart_window": RESTART_WINDOW, "api_every": api_every, "api_down": api_down,
                 "hole_every": hole_every, "hole_len": hole_len, "rewrite_every": rewrite_every, "start": start})
    sys.exit(0 if ok else 1)


def restart_api(api, truth, prober, index, compact, down, events, start):
    """SIGKILLs the test API server, keeps it down for `down` seconds (changes meanwhile wait for the restart),
    then starts it again as the same server (compacted: older resourceVersions are 410 Gone)."""
    truth.killed(time.time())
    api.kill()
    events.append((time.time() - start, "api-kill", f"restart {index}"))
    time.sleep(down)
    moment = {}

    def ready():  # under the API lock: no change can slip between the start and the truth's update
        moment["t"] = time.time()
        moment["changed"] = truth.restarted(moment["t"])
    api.start(compact, ready)
    ready, changed = moment["t"], moment["changed"]
    prober.watch_restart(index, ready, changed)
    events.append((ready - start, "api-ready", f"restart {index} compacted={compact} down-changes={len(changed)} {api.ready_line}"))


def rewrite(core, kubeconfig, version, invalid, log_path, events, start):
    """Writes Corefile version N and waits (≤ 15 s) for the server's verdict in its log (lines after the write)."""
    log_seen = sum(1 for _ in open(log_path, errors="replace"))
    text = corefile(kubeconfig, version, invalid)
    digest = hashlib.sha512(text.encode()).hexdigest()[:16]  # the server logs the first 16 digits of what it loaded
    with open(core + ".tmp", "w") as f:
        f.write(text)
    os.replace(core + ".tmp", core)
    wrote = time.time()
    while time.time() < wrote + 15:
        with open(log_path, errors="replace") as f:
            lines = f.read().splitlines()[log_seen:]
        for i, line in enumerate(lines):
            if "reload failed" in line or (f"sha512 {digest}" in line and "Reloaded " in line):
                verdict = "failed" if "reload failed" in line else "reloaded"
                where = re.search(r"Corefile:\d+", line)
                events.append((wrote - start, "rewrite", f"version {version} {'invalid' if invalid else 'valid'}: "
                               f"{verdict} after {time.time() - wrote:.1f} s{' at ' + where.group(0) if where else ''}"
                               f"{'' if (verdict == 'failed') == invalid and (where or not invalid) else ' UNEXPECTED'}"
                               f" | {line.strip()[:200]}"))
                return
        time.sleep(0.2)
    events.append((wrote - start, "rewrite", f"version {version} {'invalid' if invalid else 'valid'}: no verdict in 15 s UNEXPECTED"))


def frange(first, last, step):
    t = first
    while step > 0 and t <= last:
        yield t
        t += step


if __name__ == "__main__":
    main()
