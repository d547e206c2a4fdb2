#!/usr/bin/env python3
"""Resident memory of ClusterDns with autopath on against without, on one synthetic cluster.

  bench/load/autopath_memory.py --publish DIR --bench-dll DLL [--services N] [--pods N] [--rounds N]

gen_cluster.py renders N Services (plus N/10 headless) and --pods running Pods as API objects (plus one pod of
ns0 at 127.0.0.1, the probe's own address); the test API server (ClusterDns.Benchmarks fake-api) serves them, and
ClusterDns starts three ways, interleaved for --rounds rounds:

  without   kubeadm's kubernetes block (`pods insecure`: no Pod watch), no autopath
  verified  `pods verified` (every Pod listed and watched), no autopath
  autopath  `pods verified` and `autopath @kubernetes`

Each server is ready when the load benchmark's probes answer, with pods verified when the last pod's name answers
(every pod listed), and for autopath when a query from 127.0.0.1 for svc1.ns1.svc.cluster.local.ns0.svc.cluster.local
comes back as a CNAME to svc1.ns1.svc.cluster.local; after
5 s the RSS (VmRSS) and peak (VmHWM) of the server process are read. Prints medians and the ratios to `without`.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loadbench import ready, session_stats  # noqa: E402

PORT = 5391
PROBE = "svc1.ns1.svc.cluster.local.ns0.svc.cluster.local."


LAST_POD = ""


def start(kind, data, work, publish, bench_dll):
    work = os.path.join(work, kind)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    kubeconfig = os.path.join(work, "kubeconfig")
    api = subprocess.Popen(["taskset", "-c", "1", "dotnet", bench_dll, "fake-api", "--objects",
                            os.path.join(data, "objects.jsonl"), "--kubeconfig", kubeconfig],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
    if not api.stdout.readline().startswith("ready"):
        raise RuntimeError("fake API server did not start")
    pods = "insecure" if kind == "without" else "verified"
    autopath = "    autopath @kubernetes\n" if kind == "autopath" else ""
    corefile = os.path.join(work, "Corefile")
    with open(corefile, "w") as f:
        f.write(f"cluster.local:{PORT} {{\n    bind 127.0.0.1\n{autopath}    kubernetes cluster.local {{\n"
                f"        kubeconfig {kubeconfig}\n        pods {pods}\n        ttl 30\n    }}\n}}\n")
    env = dict(os.environ, DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="1", DOTNET_TieredPGO="1", DOTNET_gcServer="0")
    log = open(os.path.join(work, "server.log"), "w")
    started = time.monotonic()
    proc = subprocess.Popen(["taskset", "-c", "0", "dotnet", os.path.join(publish, "clusterdns.dll"), "-conf", corefile],
                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    with open(os.path.join(data, "probes.txt")) as f:
        probes = [(n, t, rc, int(k)) for n, t, rc, k in (line.split() for line in f if line.strip())]
    if kind != "without":
        probes.append((LAST_POD, "A", "NOERROR", 1))  # every pod listed: the last one's verified name answers
    if kind == "autopath":
        probes.append((PROBE, "A", "NOERROR", 2))  # the CNAME and the Service's A record
    while not ready(PORT, probes):
        if proc.poll() is not None or time.monotonic() > started + 300:
            stop(proc, api, log)
            raise RuntimeError(f"{kind} did not become ready; see {work}/server.log")
        time.sleep(0.1)
    return proc, api, log, time.monotonic() - started


def stop(proc, api, log):
    for p in (proc, api):
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    log.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--publish", required=True)
    parser.add_argument("--bench-dll", required=True)
    parser.add_argument("--services", type=int, default=10000)
    parser.add_argument("--pods", type=int, default=50000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "autopath"))
    args = parser.parse_args()
    data = os.path.join(args.out, "data")
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, "gen_cluster.py"), data, "--services", str(args.services),
                    "--pods", str(args.pods), "--queries", "10"], check=True)
    with open(os.path.join(data, "objects.jsonl"), "a") as f:
        probe_pod = {"metadata": {"name": "probe", "namespace": "ns0"},
                     "status": {"phase": "Running", "podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}]}}
        f.write("pods\t" + json.dumps(probe_pod, separators=(",", ":")) + "\n")
    global LAST_POD
    last = args.pods - 1 + (1 << 8)  # gen_cluster.py's pod addresses
    LAST_POD = f"10-{244 + (last >> 16)}-{(last >> 8) & 255}-{last & 255}.ns{(args.pods - 1) % 100}.pod.cluster.local."
    kinds = ["without", "verified", "autopath"]
    runs = {k: [] for k in kinds}
    for r in range(args.rounds):
        for kind in kinds:
            proc, api, log, ready_s = start(kind, data, os.path.join(args.out, "work"), args.publish, args.bench_dll)
            time.sleep(5)
            _, rss, peak = session_stats(proc.pid)
            stop(proc, api, log)
            runs[kind].append({"rss_mb": rss / 2**20, "peak_mb": peak / 2**20, "ready_s": ready_s})
            print(f"round {r + 1} {kind:9s} rss {rss / 2**20:6.1f} MB  peak {peak / 2**20:6.1f} MB  ready {ready_s:5.1f} s", flush=True)
    base = statistics.median(x["rss_mb"] for x in runs["without"])
    print(f"\n{args.services} Services, {args.pods} pods, median of {args.rounds}:")
    for kind in kinds:
        rss = statistics.median(x["rss_mb"] for x in runs[kind])
        peak = statistics.median(x["peak_mb"] for x in runs[kind])
        ready_s = statistics.median(x["ready_s"] for x in runs[kind])
        print(f"  {kind:9s} rss {rss:6.1f} MB ({rss / base:.2f}x)  peak {peak:6.1f} MB  ready {ready_s:5.1f} s")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(runs, f, indent=1)


if __name__ == "__main__":
    main()
