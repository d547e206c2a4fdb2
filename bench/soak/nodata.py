#!/usr/bin/env python3
"""Fast reproduction for the fault soak's transient NODATA answers (docs/performance.md): the fault soak's server
and Corefile (kubernetes from the test API server with churn, forward to the loopback upstream, cache, loop,
reload, loadbalance) under dnsperf load, while several prober processes ask the stable Services' A records as fast
as they can and check every reply whole (dnsprobe.ask: ID, question, QR, TC, every answer record). Bounded: SECONDS
of probing. Ports differ from the soak's, so both can run at once; everything is on 127.0.0.1.

  python3 bench/soak/nodata.py --publish DIR --bench-dll DLL --data DIR [--seconds 120] [--probers 4] [--rate 2000]
"""
import argparse
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnsprobe  # noqa: E402
import faults  # noqa: E402
import soak  # noqa: E402
from faultparts import Api, Truth, Upstream, cluster_objects, tear_down  # noqa: E402
from faultreport import perf_numbers  # noqa: E402

DNS, UPSTREAM, METRICS, HEALTH, READY = 25454, 25455, 29154, 28154, 28254


def corefile(kubeconfig, version=0):
    text = faults.corefile(kubeconfig, version, False)
    for old, new in ((faults.DNS_PORT, DNS), (faults.UPSTREAM_PORT, UPSTREAM), (faults.METRICS_PORT, METRICS),
                     (faults.HEALTH_PORT, HEALTH), (faults.READY_PORT, READY)):
        text = text.replace(f":{old}", f":{new}")
    return text


def judge(reply, expected):
    """None when REPLY is the right answer to an A query for a stable Service at EXPECTED, else why not."""
    if reply.malformed:
        return f"malformed: {reply.malformed}"
    if reply.rcode != 0:
        return f"rcode {reply.rcode}"
    if reply.truncated:
        return "TC"
    if any(rtype != 1 for _, rtype, _, _ in reply.answers):
        return "a record of another type in the answer"
    if reply.addresses != [expected]:
        return f"addresses {reply.addresses}"
    return None


def probe(args):
    """One prober process: asks random stable names until the deadline; returns counts and every wrong answer."""
    stable, deadline, seed = args
    rng = random.Random(seed)
    asked = timeouts = 0
    wrong, strays = [], []
    while time.time() < deadline:
        name, ip = rng.choice(stable)
        t = time.time()
        try:
            reply = dnsprobe.ask(name, DNS)
        except OSError:
            timeouts += 1
            continue
        asked += 1
        strays += [(t, name, s) for s in reply.strays]
        why = judge(reply, ip)
        if why:
            try:
                again = dnsprobe.ask(name, DNS)
                again_text = f"{judge(again, ip) or 'right'}: {again.describe()}"
            except OSError:
                again_text = "timeout"
            wrong.append((t, name, ip, why, reply.describe(), again_text))
    return asked, timeouts, wrong, strays


def disturb(api, upstream, core, args, stop):
    """The soak's faults, faster: the Corefile rewritten (valid versions: a reload each time), the upstream
    blackholed for 20 s (forward's queries wait, then SERVFAIL or REFUSED past max_concurrent) and the test API
    server killed for 5 s and restarted (every other time compacted)."""
    start, version, kills, next_rewrite, next_kill = time.time(), 0, 0, args.rewrite_every, args.api_every
    while not stop.wait(0.5):
        now = time.time() - start
        upstream.blackhole(args.hole_every > 20 and now % args.hole_every >= args.hole_every - 20)
        if now >= next_rewrite:
            version, next_rewrite = version + 1, next_rewrite + args.rewrite_every
            with open(core + ".tmp", "w") as f:
                f.write(corefile(api.kubeconfig, version))
            os.replace(core + ".tmp", core)
        if now >= next_kill:
            kills, next_kill = kills + 1, next_kill + args.api_every
            api.kill()
            if stop.wait(5):
                return
            api.start(compact=kills % 2 == 0)


def main():
    p = argparse.ArgumentParser()
    for flag in ("--publish", "--data", "--bench-dll"):
        p.add_argument(flag, required=True)
    p.add_argument("--work", default="/tmp/clusterdns-nodata")
    p.add_argument("--seconds", type=int, default=120)
    p.add_argument("--probers", type=int, default=4)
    p.add_argument("--rate", type=int, default=2000)
    p.add_argument("--changes-per-second", type=float, default=2)
    p.add_argument("--upstream-rate", type=int, default=300, help="dnsperf q/s of upstream names (the forward path)")
    p.add_argument("--rewrite-every", type=float, default=20, help="seconds between Corefile rewrites (reloads)")
    p.add_argument("--api-every", type=float, default=40, help="seconds between test API server kills (down 5 s)")
    p.add_argument("--hole-every", type=float, default=60, help="seconds between upstream blackholes (20 s each; 0: none)")
    args = p.parse_args()

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    objects, stable = cluster_objects(args.data, args.work)
    upstream = Upstream(UPSTREAM, 2)
    api = Api(args.bench_dll, objects, args.work)
    api.start()
    core = os.path.join(args.work, "Corefile")
    with open(core, "w") as f:
        f.write(corefile(api.kubeconfig))
    env = dict(os.environ, DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="1", DOTNET_gcServer="0")
    server = subprocess.Popen(["dotnet", os.path.join(args.publish, "clusterdns.dll"), "-conf", core], cwd=args.work,
                              env=env, stdout=open(os.path.join(args.work, "server.log"), "w"), stderr=subprocess.STDOUT)
    stop, changes, perf, upstream_perf = threading.Event(), [], None, None
    try:
        deadline = time.time() + 90
        while not (soak.http_status(READY, "/ready") == 200 and dnsprobe.ask(stable[0][0], DNS).addresses):
            if time.time() > deadline or server.poll() is not None:
                sys.exit("nodata: the server did not become ready")
            time.sleep(0.2)
        threading.Thread(target=faults.churn, args=(api, Truth(7, 30), stop, args.changes_per_second, changes), daemon=True).start()
        perf = subprocess.Popen(soak.dnsperf_args(DNS, os.path.join(args.data, "queries.txt"), args.seconds, args.rate),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        upstream_names = os.path.join(args.work, "upstream.txt")
        with open(upstream_names, "w") as f:
            f.write("".join(f"host{i}.{faults.UPSTREAM_ZONE} A\n" for i in range(5000)))
        upstream_perf = subprocess.Popen(soak.dnsperf_args(DNS, upstream_names, args.seconds, args.upstream_rate),
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=disturb, args=(api, upstream, core, args, stop), daemon=True).start()
        end = time.time() + args.seconds
        with multiprocessing.Pool(args.probers) as pool:
            results = pool.map(probe, [(stable, end, i) for i in range(args.probers)])
        output = perf.communicate(timeout=60)[0]
        upstream_output = upstream_perf.communicate(timeout=60)[0]
    finally:
        stop.set()
        tear_down([perf, upstream_perf], api, upstream, server)
    asked, timeouts = sum(r[0] for r in results), sum(r[1] for r in results)
    wrong = sorted(w for r in results for w in r[2])
    strays = sorted(s for r in results for s in r[3])
    sent, done, lost, codes = perf_numbers(output)
    print(f"nodata: {args.seconds} s, {args.probers} probers: {asked} checked answers, {timeouts} timeouts, "
          f"{len(wrong)} wrong, {len(strays)} strays; {len(changes)} Service changes; dnsperf {sent} sent, {done} "
          f"completed, {lost} lost, rcodes {codes}; upstream names: {perf_numbers(upstream_output)}")
    for t, name, ip, why, text, again in wrong[:50]:
        print(f"  WRONG {time.strftime('%H:%M:%S', time.gmtime(t))} {name} (want {ip}): {why}: {text} || re-asked: {again}")
    for t, name, (source, reason, data) in strays[:50]:
        print(f"  STRAY {time.strftime('%H:%M:%S', time.gmtime(t))} asking {name}: from {source} ({reason}) hex {data}")
    sys.exit(1 if wrong or timeouts else 0)


if __name__ == "__main__":
    main()
