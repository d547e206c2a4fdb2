#!/usr/bin/env python3
"""Drives ClusterDns, Knot DNS and NSD side by side with dnsperf (see run.sh for the whole procedure).

Each server runs on 127.0.0.1 pinned to CPU 0 (taskset -c 0) in its own session; dnsperf runs pinned to
CPU 1. Servers are interleaved (A B C, A B C, ...) for --rounds rounds; per run it measures:
  ready_s     start to the first correct answer
  qps         max throughput: dnsperf -q OUTSTANDING -l MAX_SECONDS
  mean_ms/p99_ms  latency at a fixed rate (dnsperf -Q RATE -v, every reply's latency)
  cpu_s_per_M server CPU seconds (utime+stime of every process in its session) per million answered
              queries, at the fixed rate (cpu_s_per_M_max: the same during the max-throughput run)
  rss_mb      VmRSS summed over the session after the runs
  peak_rss_mb VmHWM (the most resident memory each process ever had) summed over the session, at the end:
              what a pod's memory limit must allow, start-up included
  relist_*    ClusterDns from the API server, last: the fake API server compacts and ends every watch with 410
              Gone, so every informer lists again; VmHWM is reset before (relist_peak_mb) and VmRSS read 2 s after
              the Services list (relist_rss_mb)
Prints a table of medians with ratios to Knot and writes results.json next to the data.

Server kinds: knot, nsd, unbound (the cluster zone as local data; with --mix pod, a caching forwarder to the
upstream), clusterdns (list+watch from the test API server), clusterdns-manifests (our manifests
directory source), clusterdns-rewrite (clusterdns with one rewrite rule added to its Corefile,
`rewrite name exact alias.example.com svc0.ns0.svc.cluster.local`, that no benchmark query matches: the cost of
a kubeadm Corefile with one `rewrite name` rule), clusterdns-tcp and clusterdns-dot (one server with a plain
block on PORT and a tls:// block on PORT+1 with a self-signed certificate; dnsperf -m tcp against the first,
-m dot against the second: what DNS over TLS costs per query beside plain TCP), and clusterdns-NAME=PUBLISHDIR (another build under its own
name; a NAME starting with "rewrite" gets the rewrite line too, e.g. clusterdns-rewrite-before=DIR), and
clusterdns-prometheus[-NAME[=PUBLISHDIR]] (clusterdns with `prometheus 127.0.0.1:PORT+2` in its block: every query
is counted in the coredns_dns_* families; e.g. clusterdns-prometheus-before=DIR,clusterdns-prometheus-after=DIR for
what counting costs per query in two builds).
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
SERVERS = ("knot", "nsd", "clusterdns", "clusterdns-manifests")
# Known but not run by default: the issue-16 CPU budget of one rewrite rule (compare with clusterdns).
VARIANTS = ("clusterdns-rewrite", "clusterdns-tcp", "clusterdns-dot", "unbound")
# The pod-traffic mix's default: unbound (a caching resolver) beside the authoritative peers.
POD_SERVERS = ("knot", "nsd", "unbound", "clusterdns")
# The stream variants: dnsperf's transport mode and the port offset it queries.
STREAM_MODES = {"clusterdns-tcp": ("tcp", 0), "clusterdns-dot": ("dot", 1)}
REWRITE_LINE = "rewrite name exact alias.example.com svc0.ns0.svc.cluster.local"


def session_stats(sid):
    """(cpu seconds, rss bytes, peak rss bytes) summed over every process of session sid."""
    cpu, rss, peak = 0.0, 0, 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) != sid:  # field 6 (session), counted after "pid (comm)"
                continue
            cpu += (int(fields[11]) + int(fields[12])) / CLK_TCK
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("VmHWM:"):
                        peak += int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
    return cpu, rss, peak


def cpu0_busy():
    """Busy seconds of CPU 0 so far (all processes): minus the server's own, what others took from it."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu0 "):
                v = [int(x) for x in line.split()[1:]]
                return (sum(v[:8]) - v[3] - v[4]) / CLK_TCK
    return 0.0


def answers(port, name, rtype="A", rcode="NOERROR", min_answers=1):
    try:
        out = subprocess.run(["kdig", "@127.0.0.1", "-p", str(port), "+norec", "+time=1", "+retry=0", name, rtype],
                             capture_output=True, text=True, timeout=5).stdout
    except subprocess.TimeoutExpired:
        return False
    m = re.search(r"ANSWER: (\d+)", out)
    return f"status: {rcode}" in out and m is not None and int(m.group(1)) >= min_answers


def ready(port, probes):
    return all(answers(port, *p) for p in probes)


def write_knot_conf(work, port, zones):
    """Knot's configuration in WORK serving the (domain, zone file) pairs on 127.0.0.1@PORT; returns its path.
    One UDP worker: Knot's default is one per CPU, and two workers on one pinned core lose queries whenever the
    other one holds the core."""
    conf = os.path.join(work, "knot.conf")
    with open(conf, "w") as f:
        f.write(f"server:\n    rundir: {work}\n    listen: 127.0.0.1@{port}\n"
                f"    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\n"
                f"database:\n    storage: {work}/storage\n"
                f"log:\n  - target: stderr\n    any: warning\n"
                f"zone:\n" + "".join(
                    f"  - domain: {domain}\n    file: {file}\n    storage: {work}/storage\n"
                    f"    journal-content: none\n    zonefile-sync: -1\n"
                    for domain, file in zones))
    return conf


class Upstream:
    """The pod-traffic mix's upstream: Knot serving example.net on PORT, pinned to the client core."""

    def __init__(self, data, work, port):
        self.port = port
        self.work = os.path.join(work, "upstream")
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(os.path.join(self.work, "storage"))
        conf = write_knot_conf(self.work, port, [("example.net", os.path.join(data, "example.net.zone"))])
        self.log = open(os.path.join(self.work, "knot.log"), "w")
        self.proc = subprocess.Popen(["taskset", "-c", "1", "knotd", "-c", conf], stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while not answers(port, "ext0.example.net."):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the upstream did not start; see {self.work}/knot.log")
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        self.log.close()


class Server:
    def __init__(self, kind, data, work, port, publish, bench_dll=None, upstream=None):
        """upstream: the pod-traffic mix's upstream port (None: the authoritative mix, cluster.local alone)."""
        self.kind, self.data, self.port, self.upstream = kind, data, port, upstream
        self.api = None
        self.work = os.path.join(work, kind)
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        env = dict(os.environ)
        if kind == "knot":
            os.makedirs(os.path.join(self.work, "storage"))
            conf = write_knot_conf(self.work, port, self.zones())
            cmd = ["knotd", "-c", conf]
        elif kind == "nsd":
            conf = os.path.join(self.work, "nsd.conf")
            with open(conf, "w") as f:
                f.write(f"server:\n    ip-address: 127.0.0.1@{port}\n    port: {port}\n    server-count: 1\n"
                        f"    username: \"\"\n    chroot: \"\"\n    zonesdir: \"{data}\"\n    database: \"\"\n"
                        f"    pidfile: \"{self.work}/nsd.pid\"\n    xfrdfile: \"{self.work}/xfrd.state\"\n"
                        f"    zonelistfile: \"{self.work}/zone.list\"\n    logfile: \"{self.work}/nsd.log\"\n"
                        f"    verbosity: 0\n    hide-version: yes\n    rrl-ratelimit: 0\n    rrl-whitelist-ratelimit: 0\n"
                        f"remote-control:\n    control-enable: no\n" + "".join(
                            f"zone:\n    name: {domain}\n    zonefile: \"{file}\"\n" for domain, file in self.zones()))
            cmd = ["nsd", "-d", "-c", conf]
        elif kind == "unbound":
            # A caching resolver holding the cluster as local data and forwarding the rest to the upstream.
            conf = os.path.join(self.work, "unbound.conf")
            with open(conf, "w") as f, open(os.path.join(data, "unbound-local.conf")) as local:
                f.write(f"server:\n    interface: 127.0.0.1@{port}\n    port: {port}\n    num-threads: 1\n"
                        f"    do-daemonize: no\n    username: \"\"\n    chroot: \"\"\n    directory: \"{self.work}\"\n"
                        f"    pidfile: \"{self.work}/unbound.pid\"\n    use-syslog: no\n    logfile: \"\"\n"
                        f"    verbosity: 0\n    do-not-query-localhost: no\n    access-control: 127.0.0.0/8 allow\n"
                        f"    module-config: \"iterator\"\n    qname-minimisation: no\n    so-reuseport: no\n"
                        f"    outgoing-range: 1024\n    num-queries-per-thread: 1024\n"
                        + local.read() +
                        (f"forward-zone:\n    name: \".\"\n    forward-addr: 127.0.0.1@{upstream}\n" if upstream else ""))
            cmd = ["unbound", "-d", "-c", conf]
        elif kind.startswith("clusterdns"):
            if kind != "clusterdns-manifests":
                # Production path: list+watch from the test API server (pinned with dnsperf, on the client core).
                kubeconfig = os.path.join(self.work, "kubeconfig")
                self.api = subprocess.Popen(["taskset", "-c", "1", "dotnet", bench_dll, "fake-api", "--objects",
                                             os.path.join(data, "objects.jsonl"), "--kubeconfig", kubeconfig],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                            start_new_session=True)
                line = self.api.stdout.readline()
                if not line.startswith("ready"):
                    self.stop_api()
                    raise RuntimeError(f"fake API server did not start: {line!r}")
                source = f"kubeconfig {kubeconfig}"
            else:
                # Our manifests extension: re-reads the directory every 2 s (costs CPU at 10k+ objects).
                source = f"manifests {os.path.join(data, 'manifests')}"
            corefile = os.path.join(self.work, "Corefile")
            # clusterdns-rewrite[-…]: one rewrite rule before kubernetes, as an operator adds an alias.
            rewrite = f"    {REWRITE_LINE}\n" if kind.startswith("clusterdns-rewrite") else ""
            # clusterdns-prometheus[-…]: the block counts its queries (coredns_dns_*) and serves /metrics on PORT+2.
            if kind.startswith("clusterdns-prometheus") and not upstream:
                rewrite += f"    prometheus 127.0.0.1:{port + 2}\n"
            keys, tls = f"cluster.local:{port}", ""
            if kind in STREAM_MODES:
                # Both stream variants run this one Corefile: the plain port answers readiness probes and -m tcp.
                subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                "-keyout", os.path.join(self.work, "key.pem"), "-out", os.path.join(self.work, "cert.pem")],
                               check=True, capture_output=True)
                keys += f" tls://cluster.local:{port + 1}"
                tls = "    tls cert.pem key.pem\n"
            with open(corefile, "w") as f:
                if upstream:
                    # The pod-traffic mix: kubeadm's default Corefile (CoreDNS 1.11's), forward to the upstream.
                    f.write(f".:{port} {{\n    bind 127.0.0.1\n    errors\n    health 127.0.0.1:{port + 3} {{\n"
                            f"        lameduck 5s\n    }}\n    ready 127.0.0.1:{port + 4}\n{rewrite}"
                            f"    kubernetes cluster.local in-addr.arpa ip6.arpa {{\n        {source}\n"
                            f"        pods insecure\n        fallthrough in-addr.arpa ip6.arpa\n        ttl 30\n    }}\n"
                            f"    prometheus 127.0.0.1:{port + 2}\n    forward . 127.0.0.1:{upstream} {{\n"
                            f"        max_concurrent 1000\n    }}\n    cache 30\n    loop\n    reload\n"
                            f"    loadbalance\n}}\n")
                else:
                    f.write(f"{keys} {{\n    bind 127.0.0.1\n{tls}{rewrite}    kubernetes cluster.local {{\n"
                            f"        {source}\n        ttl 30\n    }}\n}}\n")
            # A JIT publish directory holds clusterdns.dll; a Native AOT one only the executable.
            dll = os.path.join(publish, "clusterdns.dll")
            program = ["dotnet", dll] if os.path.exists(dll) else [os.path.join(publish, "clusterdns")]
            cmd = program + ["-conf", corefile]
            env.update(DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="1", DOTNET_TieredPGO="1", DOTNET_gcServer="0")
            env.update(dict(kv.split("=", 1) for kv in os.environ.get("CLUSTERDNS_ENV", "").split() if "=" in kv))
        else:
            raise ValueError(kind)
        self.log = open(os.path.join(self.work, "server.log"), "w")
        started = time.monotonic()
        self.proc = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=env, start_new_session=True)
        deadline = started + 300
        probes = [("svc0.ns0.svc.cluster.local.",)]
        if os.path.exists(os.path.join(data, "probes.txt")):
            with open(os.path.join(data, "probes.txt")) as f:
                probes = [(n, t, rc, int(k)) for n, t, rc, k in (line.split() for line in f if line.strip())]
        while not ready(port, probes):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{kind} did not become ready; see {self.work}/server.log")
            time.sleep(0.05)
        self.ready_s = time.monotonic() - started

    def zones(self):
        """(domain, zone file) pairs Knot and NSD serve: the pod mix's outside names as a plain zone too."""
        zones = [("cluster.local", os.path.join(self.data, "cluster.local.zone"))]
        if self.upstream:
            zones.append(("example.net", os.path.join(self.data, "example.net.zone")))
        return zones

    def freshness(self, changes):
        """Sends 'fresh N PORT' to the fake API server; returns its result fields."""
        self.api.stdin.write(f"fresh {changes} {self.port}\n")
        self.api.stdin.flush()
        line = self.api.stdout.readline()
        if not line.startswith("fresh"):
            raise RuntimeError(f"freshness probe failed: {line!r}")
        return {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}

    def relist(self, timeout=120):
        """A full relist: the fake API server compacts and ends every watch with 410 Gone, so each informer lists
        again. Resets the server's VmHWM first (clear_refs 5), waits for every kind's list to be logged again, gives
        the writer 2 s, and returns (seconds to the list, peak RSS during it, RSS after) in bytes."""
        log = os.path.join(self.work, "server.log")

        def listed():
            # Every kind the server lists: Services, EndpointSlices and Namespaces each log one line per list.
            text = open(log).read()
            return min(text.count(f"Listed {kind}:") for kind in ("Service", "EndpointSlice", "Namespace"))

        before = listed()
        with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
            f.write("5")
        started = time.monotonic()
        self.api.stdin.write("compact\n")
        self.api.stdin.flush()
        self.api.stdout.readline()
        while listed() == before:
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"no relist within {timeout} s; see {log}")
            time.sleep(0.05)
        took = time.monotonic() - started
        time.sleep(2)
        status = dict(line.split(":", 1) for line in open(f"/proc/{self.proc.pid}/status"))
        return took, int(status["VmHWM"].split()[0]) * 1024, int(status["VmRSS"].split()[0]) * 1024

    def stop_api(self):
        if self.api and self.api.poll() is None:
            self.api.stdin.close()
            try:
                self.api.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.api.pid, signal.SIGKILL)
                self.api.wait()

    def stats(self):
        return session_stats(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        self.stop_api()


def dnsperf(port, queries, seconds, extra, verbose=False):
    cmd = ["taskset", "-c", "1", "/usr/bin/time", "-f", "TIME %U %S %e", "dnsperf", "-s", "127.0.0.1",
           "-p", str(port), "-d", queries, "-l", str(seconds), "-t", "2"] + extra + (["-v"] if verbose else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    out = proc.stdout + proc.stderr

    def num(pattern):
        m = re.search(pattern, out)
        return float(m.group(1)) if m else float("nan")

    result = {
        "completed": num(r"Queries completed:\s+(\d+)"),
        "lost": num(r"Queries lost:\s+(\d+)"),
        "qps": num(r"Queries per second:\s+([\d.]+)"),
        "mean_ms": num(r"Average Latency \(s\):\s+([\d.]+)") * 1000,
    }
    m = re.search(r"TIME ([\d.]+) ([\d.]+) ([\d.]+)", out)
    if m:
        result["client_cpu"] = (float(m.group(1)) + float(m.group(2))) / max(float(m.group(3)), 1e-9)
    if verbose:
        # Lines like "> NOERROR svc1.ns1.svc.cluster.local A 0.000123"
        lat = sorted(float(line.rsplit(None, 1)[1]) for line in proc.stdout.splitlines()
                     if line.startswith("> ") and re.search(r" [\d.]+$", line))
        if lat:
            result["p99_ms"] = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
            result["p50_ms"] = lat[len(lat) // 2] * 1000
            result["rcodes"] = {}
            for line in proc.stdout.splitlines():
                if line.startswith("> "):
                    rc = line.split()[1]
                    result["rcodes"][rc] = result["rcodes"].get(rc, 0) + 1
    return result


def memory_breakdown(pid, metrics_port):
    """Where a ClusterDns process's resident memory is (MB): file pages (the executable, libraries, assemblies),
    a Native AOT executable's type data rehydrated at start (the anonymous mapping right after the executable's
    own), other anonymous memory, and from /metrics the managed heap per generation after the last GC and what
    the GC has committed."""
    result = {}
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
        rss = anonymous = hydrated = 0
        previous_exe = False
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                head = re.match(r"[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)", line)
                if head:
                    name = head.group(1).strip()
                    after_exe, previous_exe = previous_exe and not name, name == exe
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
                    if after_exe:
                        hydrated += int(line.split()[1])
                elif line.startswith("Anonymous:"):
                    anonymous += int(line.split()[1])
        result.update(rss=rss / 1024, file=(rss - anonymous) / 1024, anonymous=anonymous / 1024)
        if not exe.endswith("/dotnet"):
            result["hydrated"] = hydrated / 1024
    except OSError:
        return result
    if metrics_port:
        try:
            import urllib.request
            text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
        except OSError:
            return result
        for line in text.splitlines():
            m = re.match(r'system_runtime_dotnet_gc_last_collection_heap_size\{gc_heap_generation="(\w+)"\} (\S+)', line)
            if m:
                result[f"heap_{m.group(1)}"] = float(m.group(2)) / 2**20
            m = re.match(r"system_runtime_dotnet_gc_last_collection_memory_committed_size (\S+)", line)
            if m:
                result["gc_committed"] = float(m.group(1)) / 2**20
            m = re.match(r'dotnet_collection_count_total\{generation="(\d)"\} (\S+)', line)
            if m:
                result[f"gc{m.group(1)}_count"] = float(m.group(2))
    return result


def measure(kind, args, port, publish):
    upstream = Upstream(args.data, args.work, port + 10) if args.mix == "pod" else None
    try:
        server = Server(kind, args.data, args.work, port, publish, args.bench_dll, upstream and upstream.port)
    except BaseException:
        if upstream:
            upstream.stop()
        raise
    try:
        queries = os.path.join(args.data, "queries-pod.txt" if args.mix == "pod" else "queries.txt")
        mode, offset = STREAM_MODES.get(kind, ("udp", 0))
        qport, modearg = port + offset, ([] if mode == "udp" else ["-m", mode])
        dnsperf(qport, queries, args.warmup, ["-c", "4", "-q", "200"] + modearg)
        cpu0, _, _ = server.stats()
        busy0, wall0 = cpu0_busy(), time.monotonic()
        peak = dnsperf(qport, queries, args.max_seconds, ["-c", str(args.clients), "-q", str(args.outstanding)] + modearg)
        cpu1, _, _ = server.stats()
        fixed = dnsperf(qport, queries, args.fixed_seconds, ["-c", "4", "-q", "200", "-Q", str(args.rate)] + modearg, verbose=True)
        cpu2, rss, _ = server.stats()
        fresh = {}
        if server.api and args.fresh > 0 and kind not in STREAM_MODES:
            # Freshness under load: the fixed rate keeps running while Services are created one by one.
            load = subprocess.Popen(["taskset", "-c", "1", "dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries,
                                     "-l", "120", "-Q", str(args.rate)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                time.sleep(1)
                fresh = server.freshness(args.fresh)
            finally:
                load.terminate()
                load.wait(timeout=10)
        foreign = (cpu0_busy() - busy0 - (cpu2 - cpu0)) / (time.monotonic() - wall0)
        memory = memory_breakdown(server.proc.pid, port + 2 if upstream else None) if kind.startswith("clusterdns") else {}
        _, _, peak_rss = server.stats()
        relist = {}
        if server.api and kind not in STREAM_MODES:
            # Last, so the peak above is start-up and load: a full relist's own peak (VmHWM reset before it).
            took, relist_peak, relist_rss = server.relist()
            relist = {"relist_s": took, "relist_peak_mb": relist_peak / 2**20, "relist_rss_mb": relist_rss / 2**20}
        return {
            "server": kind, "ready_s": server.ready_s,
            "qps": peak["qps"], "lost_max": peak["lost"], "client_cpu_max": peak.get("client_cpu"),
            "cpu_s_per_M_max": (cpu1 - cpu0) / max(peak["completed"], 1) * 1e6,
            "mean_ms": fixed["mean_ms"], "p50_ms": fixed.get("p50_ms"), "p99_ms": fixed.get("p99_ms"),
            "fixed_qps": fixed["qps"], "lost_fixed": fixed["lost"], "rcodes": fixed.get("rcodes"),
            "cpu_s_per_M": (cpu2 - cpu1) / max(fixed["completed"], 1) * 1e6,
            "rss_mb": rss / 2**20, "peak_rss_mb": peak_rss / 2**20,
            "fresh_p50_ms": fresh.get("p50_ms"), "fresh_p99_ms": fresh.get("p99_ms"),
            "fresh_timeouts": fresh.get("timeouts"),
            "foreign_cpu0": foreign, "loadavg": open("/proc/loadavg").read().split()[0], "memory": memory,
            **relist,
        }
    finally:
        server.stop()
        if upstream:
            upstream.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="directory written by gen_cluster.py")
    p.add_argument("--work", required=True, help="scratch directory for server configs and logs")
    p.add_argument("--publish", required=True, help="ClusterDns publish directory (clusterdns.dll, or the native clusterdns)")
    p.add_argument("--servers", default="",
                   help="comma-separated kinds (see above), e.g. clusterdns,clusterdns-rewrite for the rewrite rule's cost")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--port", type=int, default=15353)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--max-seconds", type=int, default=15)
    p.add_argument("--fixed-seconds", type=int, default=10)
    p.add_argument("--rate", type=int, default=20000)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--outstanding", type=int, default=1000)
    p.add_argument("--label", default="")
    p.add_argument("--bench-dll", default="", help="ClusterDns.Benchmarks.dll (fake API server) for 'clusterdns'")
    p.add_argument("--fresh", type=int, default=1000, help="Service creations in the freshness run (0: skip)")
    p.add_argument("--mix", choices=("auth", "pod"), default="auth",
                   help="auth: queries.txt, cluster.local alone (default); pod: queries-pod.txt, the pod-traffic mix, "
                        "with example.net on a loopback upstream (Knot on PORT+10), ClusterDns on kubeadm's Corefile "
                        "(forward + cache), Knot and NSD serving both zones, unbound caching")
    args = p.parse_args()
    # Servers run with their own working directories: every path they are given is absolute.
    for attr in ("data", "work", "publish", "bench_dll"):
        if getattr(args, attr):
            setattr(args, attr, os.path.abspath(getattr(args, attr)))
    # NAME=DIR runs ClusterDns from another publish directory under its own name (before/after comparisons).
    publish = {}
    servers = []
    default = POD_SERVERS if args.mix == "pod" else SERVERS
    for s in (s for s in (args.servers or ",".join(default)).split(",") if s):
        name, _, directory = s.partition("=")
        if name not in SERVERS + VARIANTS and not (directory and name.startswith("clusterdns")):
            sys.exit(f"loadbench.py: unknown server {s!r} (known: {', '.join(SERVERS + VARIANTS)}, or clusterdns-NAME=PUBLISHDIR)")
        publish[name] = os.path.abspath(directory) if directory else args.publish
        servers.append(name)

    runs = []
    for r in range(args.rounds):
        for kind in servers:
            res = measure(kind, args, args.port, publish[kind])
            res["round"] = r + 1
            runs.append(res)
            print(f"round {r + 1} {kind:10s} qps {res['qps']:9.0f} (lost {res['lost_max']:.0f}, client cpu "
                  f"{res['client_cpu_max'] or 0:.2f})  mean {res['mean_ms']:.3f} ms  p99 {res['p99_ms'] or 0:.3f} ms  "
                  f"cpu {res['cpu_s_per_M']:.2f} s/M (max {res['cpu_s_per_M_max']:.2f})  rss {res['rss_mb']:.1f} MB  "
                  f"ready {res['ready_s']:.2f} s  fresh p50/p99 {res['fresh_p50_ms']}/{res['fresh_p99_ms']} ms  others on cpu0 {res['foreign_cpu0']:.0%} load {res['loadavg']}  rcodes {res['rcodes']}", flush=True)
            if res["memory"]:
                print("    memory MB: " + "  ".join(f"{k} {v:.1f}" for k, v in res["memory"].items()), flush=True)
            if "relist_s" in res:
                print(f"    relist (410 on every watch): {res['relist_s']:.2f} s, peak RSS during it {res['relist_peak_mb']:.1f} MB, "
                      f"RSS after {res['relist_rss_mb']:.1f} MB", flush=True)

    keys = ["qps", "mean_ms", "p99_ms", "cpu_s_per_M", "cpu_s_per_M_max", "rss_mb", "peak_rss_mb", "ready_s"]

    def values(s, k):
        return [x[k] for x in runs if x["server"] == s and x.get(k) is not None]
    medians = {s: {k: statistics.median(values(s, k)) if values(s, k) else float("nan") for k in keys + ["fresh_p50_ms", "fresh_p99_ms"]}
               for s in servers}
    spread = {s: {k: (min(values(s, k)), max(values(s, k))) for k in keys if values(s, k)} for s in servers}
    print(f"\nmedians of {args.rounds} rounds {args.label} (ratio to knot in parentheses)")
    print(f"{'server':12s}" + "".join(f"{k:>20s}" for k in keys))
    base = medians.get("knot")
    for s in servers:
        cells = []
        for k in keys:
            v = medians[s][k]
            ratio = f" ({v / base[k]:.2f}x)" if base and base[k] else ""
            cells.append(f"{v:.3f}{ratio}" if v < 100 else f"{v:.0f}{ratio}")
        print(f"{s:12s}" + "".join(f"{c:>20s}" for c in cells))
    for s in servers:
        if medians[s]["fresh_p50_ms"] == medians[s]["fresh_p50_ms"]:
            print(f"freshness {s}: p50 {medians[s]['fresh_p50_ms']:.2f} ms, p99 {medians[s]['fresh_p99_ms']:.2f} ms "
                  f"(median over rounds of {args.fresh} Service creations under {args.rate} q/s)")
    out = os.path.join(args.data, f"results{('-' + args.label) if args.label else ''}.json")
    with open(out, "w") as f:
        json.dump({"args": vars(args), "runs": runs, "medians": medians, "spread": spread}, f, indent=1)
    print(f"\nraw runs: {out}")


if __name__ == "__main__":
    main()
