#!/usr/bin/env python3
"""Does a forwarded flood hurt cluster names more than a cheap flood does? (see run.sh for the procedure)

Per run: a fresh server on 127.0.0.1 pinned to CPU 0 (kubeadm-like Corefile: kubernetes from manifests, cache,
forward to a black hole with max_concurrent 1000); dnsperf pinned to CPU 1 twice at once: the flood from
127.0.0.2 (unique external names, all forwarded, or cluster names) and the probe from 127.0.0.3 (cluster names
only). Reports, per run, the probe's lost queries and p99 and the flood's rcodes; then per server the ratio
p99 beside the forward flood / p99 beside the cluster flood (medians over the rounds), and the bound
1.5 x cluster p99 + 0.3 ms.
"""
import argparse, json, os, re, signal, socket, statistics, subprocess, sys, time


def write_data(data, services, flood_lines):
    os.makedirs(os.path.join(data, "manifests"), exist_ok=True)
    names = []
    with open(os.path.join(data, "manifests", "services.yaml"), "w") as f:
        for i in range(services):
            ns, ip = f"ns{i % 10}", f"10.96.{i // 250}.{i % 250 + 1}"
            f.write(f"apiVersion: v1\nkind: Service\nmetadata: {{name: svc{i}, namespace: {ns}}}\n"
                    f"spec: {{clusterIP: {ip}, ports: [{{name: http, port: 80, protocol: TCP}}]}}\n---\n")
            names.append(f"svc{i}.{ns}.svc.cluster.local")
    with open(os.path.join(data, "cluster.txt"), "w") as f:
        for n in names:
            f.write(f"{n} A\n")
    # Unique names: dnsperf reads the file in order, so no name repeats within a run (no cache hit).
    with open(os.path.join(data, "external.txt"), "w") as f:
        for i in range(flood_lines):
            f.write(f"q{i}.r{os.getpid()}.flood.example A\n")
    return names


def dig_ok(port, name):
    r = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+time=1", "+tries=1", "+short", name, "A"],
                       capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.strip() != ""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(publish, data, work, hole_port, extra_forward):
    port = free_port()
    corefile = os.path.join(work, "Corefile")
    with open(corefile, "w") as f:
        f.write(f".:{port} {{\n    errors\n    bind 127.0.0.1\n"
                f"    kubernetes cluster.local in-addr.arpa ip6.arpa {{\n"
                f"        manifests {os.path.join(data, 'manifests')}\n        pods insecure\n"
                f"        fallthrough in-addr.arpa ip6.arpa\n        ttl 30\n    }}\n"
                f"    cache 30\n    forward . 127.0.0.1:{hole_port} {{\n        max_concurrent 1000\n{extra_forward}    }}\n"
                f"    loadbalance\n}}\n")
    env = dict(os.environ, DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="1", DOTNET_TieredPGO="1", DOTNET_gcServer="0")
    log = open(os.path.join(work, "server.log"), "w")
    proc = subprocess.Popen(["taskset", "-c", "0", "dotnet", os.path.join(publish, "clusterdns.dll"), "-conf", corefile],
                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.monotonic() + 120
    while not dig_ok(port, "svc0.ns0.svc.cluster.local"):
        if proc.poll() is not None or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise RuntimeError(f"server did not become ready; see {work}/server.log")
        time.sleep(0.1)
    return proc, port


def cpu_seconds(pid):
    """utime + stime of the server process (taskset execs it, so the pid is the server's)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dnsperf(port, source, queries, rate, seconds, verbose):
    # -q 2000: room for the forwards the black hole holds (up to max_concurrent, 2 s each at dnsperf) and more.
    return subprocess.Popen(["taskset", "-c", "1", "dnsperf", "-s", "127.0.0.1", "-p", str(port), "-a", source,
                             "-d", queries, "-l", str(seconds), "-Q", str(rate), "-c", "4", "-q", "2000", "-t", "2"]
                            + (["-v"] if verbose else []), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def summary(out, verbose):
    def num(pattern):
        m = re.search(pattern, out)
        return float(m.group(1)) if m else float("nan")
    result = {"sent": num(r"Queries sent:\s+(\d+)"), "lost": num(r"Queries lost:\s+(\d+)"),
              "qps": num(r"Queries per second:\s+([\d.]+)")}
    rcodes = {}
    m = re.search(r"Response codes:\s+(.*)", out)
    if m:
        for part in m.group(1).split(","):
            name, count = part.split()[:2]
            rcodes[name] = int(count)
    result["rcodes"] = rcodes
    if verbose:
        lat = sorted(float(line.rsplit(None, 1)[1]) for line in out.splitlines()
                     if line.startswith("> ") and re.search(r" [\d.]+$", line))
        if lat:
            result["p99_ms"] = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
            result["p50_ms"] = lat[len(lat) // 2] * 1000
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--server", action="append", required=True, help="NAME=PUBLISHDIR (repeat)")
    p.add_argument("--work", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--flood-rate", type=int, default=40000)
    p.add_argument("--probe-rate", type=int, default=2000)
    p.add_argument("--services", type=int, default=1000)
    p.add_argument("--forward-extra", default="", help="extra forward lines for servers named *-cap (e.g. 'max_concurrent_per_client 50')")
    args = p.parse_args()
    servers = [s.split("=", 1) for s in args.server]
    data = os.path.join(args.work, "data")
    write_data(data, args.services, args.flood_rate * (args.seconds + 5))
    # The black hole: bound, never read, never answered.
    hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    hole.bind(("127.0.0.1", 0))
    hole_port = hole.getsockname()[1]
    results = []
    for rnd in range(args.rounds):
        floods = ["external", "cluster"] if rnd % 2 == 0 else ["cluster", "external"]
        for name, publish in servers:
            for flood in floods:
                work = os.path.join(args.work, f"{name}-{flood}-{rnd}")
                os.makedirs(work, exist_ok=True)
                extra = f"        {args.forward_extra}\n" if args.forward_extra and name.endswith("-cap") else ""
                proc, port = start(publish, data, work, hole_port, extra)
                try:
                    load = open("/proc/loadavg").read().split()[:3]
                    cpu_before = cpu_seconds(proc.pid)
                    flood_proc = dnsperf(port, "127.0.0.2", os.path.join(data, f"{flood}.txt"), args.flood_rate, args.seconds, False)
                    time.sleep(1)  # the flood is at full rate before the probe starts
                    probe_proc = dnsperf(port, "127.0.0.3", os.path.join(data, "cluster.txt"), args.probe_rate, args.seconds - 2, True)
                    probe = summary(probe_proc.communicate(timeout=args.seconds + 60)[0], True)
                    flood_res = summary(flood_proc.communicate(timeout=args.seconds + 60)[0], False)
                    cpu = cpu_seconds(proc.pid) - cpu_before
                finally:
                    os.killpg(proc.pid, signal.SIGTERM)
                    try:
                        proc.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        os.killpg(proc.pid, signal.SIGKILL)
                row = {"round": rnd, "server": name, "flood": flood, "probe": probe, "flood_result": flood_res, "load": load, "server_cpu_s": cpu}
                results.append(row)
                print(f"round {rnd} {name:14} flood={flood:8} probe: lost {probe['lost']:.0f}/{probe['sent']:.0f} "
                      f"p50 {probe.get('p50_ms', float('nan')):.3f} ms p99 {probe.get('p99_ms', float('nan')):.3f} ms rcodes {probe['rcodes']} | "
                      f"flood: {flood_res['qps']:.0f} q/s lost {flood_res['lost']:.0f} rcodes {flood_res['rcodes']} | "
                      f"server CPU {cpu:.2f} s | load {' '.join(load)}",
                      flush=True)
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    ok = True
    for name, _ in servers:
        def med(flood):
            values = [r["probe"].get("p99_ms", float("nan")) for r in results if r["server"] == name and r["flood"] == flood]
            return statistics.median(values)
        lost = sum(r["probe"]["lost"] for r in results if r["server"] == name)
        cpu = {f: statistics.median(r["server_cpu_s"] for r in results if r["server"] == name and r["flood"] == f) for f in ("external", "cluster")}
        ext, clu = med("external"), med("cluster")
        bound = 1.5 * clu + 0.3
        verdict = "PASS" if lost == 0 and ext <= bound else "FAIL"
        ok &= verdict == "PASS"
        print(f"{name}: probe p99 beside forward flood {ext:.3f} ms, beside cluster flood {clu:.3f} ms, "
              f"ratio {ext / clu:.2f}x, bound {bound:.3f} ms, probe lost {lost:.0f}: {verdict}; "
              f"server CPU per run {cpu['external']:.2f} s vs {cpu['cluster']:.2f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
