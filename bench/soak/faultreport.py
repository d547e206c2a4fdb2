"""The fault soak's report (faults.py): prints the figures and says whether the run is clean."""
import re


def perf_numbers(output):
    def num(pattern):
        m = re.search(pattern, output)
        return int(m.group(1)) if m else 0
    codes = dict((k, int(v)) for k, v in re.findall(r"([A-Z]+) (\d+) \(", output.split("Response codes:", 1)[-1].split("\n", 1)[0]))
    return num(r"Queries sent:\s+(\d+)"), num(r"Queries completed:\s+(\d+)"), num(r"Queries lost:\s+(\d+)"), codes


def report(args, outputs, prober, events, samples, changes, crashed, log_path, timing):
    ok = not crashed
    print(f"fault soak: {args.seconds} s, scale {args.fault_scale}: API server killed every {timing['api_every']:.0f} s "
          f"for {timing['api_down']:.0f} s (every {args.compact_every}rd restart from the 2nd compacted), upstream "
          f"blackholed every {timing['hole_every']:.0f} s for {timing['hole_len']:.0f} s, Corefile rewritten every "
          f"{timing['rewrite_every']:.0f} s (every 5th version invalid)")
    for kind, label in (("cluster", "cluster names"), ("upstream", "upstream names")):
        for excluded in (False, True):
            rows = [perf_numbers(o) for k, e, _, o in outputs if k == kind and e == excluded]
            if not rows:
                continue
            sent, done, lost = (sum(r[i] for r in rows) for i in range(3))
            codes = {}
            for r in rows:
                for c, n in r[3].items():
                    codes[c] = codes.get(c, 0) + n
            where = "inside blackhole windows (excluded)" if excluded else ("whole run" if kind == "cluster" else "outside blackhole windows")
            print(f"dnsperf {label}, {where}: {sent} sent, {done} completed, {lost} lost; rcodes {codes}")
            if not excluded and (lost or codes.get("SERVFAIL")):
                ok = False
    print(f"churn: {changes} Service changes; prober: {prober.asked} answers, {prober.judged} judged after convergence "
          f"(window {timing['window']} s after a change, {timing['restart_window']} s after an API restart for changes "
          f"made while it was down or in the last window before the kill), {len(prober.wrong)} wrong, {len(prober.errors)} "
          "timeouts or SERVFAIL")
    for t, name, expected, rcode, addresses, whole, again in prober.wrong[:20]:
        print(f"  WRONG at {t - timing['start']:.1f} s {name}: expected {expected or 'NXDOMAIN'}, got rcode {rcode} {addresses}"
              f"\n    reply: {whole}\n    asked again at once: {again}")
    print(f"strays (datagrams on a prober's socket that were not the reply to its query, ignored): {len(prober.strays)}")
    for t, name, (source, reason, data) in prober.strays[:20]:
        print(f"  STRAY at {t - timing['start']:.1f} s asking {name}: from {source} ({reason}) hex {data}")
    start = timing["start"]
    for t, name, what in prober.errors[:20]:
        print(f"  ERROR at {t - start:.1f} s {name}: {what}")
    if prober.wrong or prober.errors:
        ok = False
    print("convergence after API restarts (first correct answer after the restarted server's ready line, for each "
          "change made while it was down):")
    for index, _, changed, seen in prober.watching:
        times = sorted(v for v in seen.values() if v is not None)
        superseded = sum(1 for v in seen.values() if v is None)
        missing = len(changed) - len(seen)
        line = f"  restart {index}: {len(changed)} changes, {len(times)} converged"
        if times:
            line += f" (median {times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s)"
        print(line + f", {superseded} superseded, {missing} never seen correct")
        ok = ok and missing == 0
    print("events:")
    for t, what, detail in sorted(events, key=lambda e: e[0]):
        print(f"  {t:8.1f} {what:9s} {detail}")
        if "UNEXPECTED" in detail or what == "crash":
            ok = False
    print("   t(s)   RSS(MiB)  heap(MiB)  GCs  GC pause in interval (ms)  CPU (s)  /ready /health  reload failures")
    prev = None
    for s in samples:
        pause = (s["pause"] - prev["pause"]) * 1000 if prev else s["pause"] * 1000
        gcs = s["gcs"] - prev["gcs"] if prev else s["gcs"]
        cpu = s["cpu"] - prev["cpu"] if prev else s["cpu"]
        print(f"{s['t']:7.0f} {s['rss'] / 2**20:10.1f} {s['heap'] / 2**20:10.1f} {int(gcs):4d} {pause:25.1f} {cpu:8.2f}"
              f"  {s['ready']:6d} {s['health']:7d}  {int(s['reload_failed']):15d}")
        prev = s
    not_ready = [s["t"] for s in samples if s["ready"] != 200]
    if not_ready:
        print(f"NOTE: /ready was not 200 in {len(not_ready)} of {len(samples)} samples (t = "
              f"{', '.join(f'{t:.0f}' for t in not_ready)} s): compare with the api-kill/api-ready events")
    if samples:
        print(f"GC: {int(samples[-1]['gcs'])} collections, {samples[-1]['pause'] * 1000:.1f} ms paused in total; RSS max "
              f"{max(s['rss'] for s in samples) / 2**20:.1f} MiB")
    if crashed:
        print("CRASH: the server exited; last log lines:")
        with open(log_path, errors="replace") as f:
            print("".join(f.readlines()[-30:]))
    print("RESULT:", "clean" if ok else "FAULTS FOUND")
    return ok
