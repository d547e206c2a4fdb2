#!/usr/bin/env python3
"""Prints a results.json written by loadbench.py as a Markdown table of medians, ratios to Knot and
min-max spread over the rounds (used for docs/performance.md).

Usage: report.py RESULTS.json [RESULTS.json ...]
"""
import json
import sys

COLUMNS = [("qps", "max QPS", "{:.0f}"), ("cpu_s_per_M_max", "CPU s/M at max", "{:.2f}"),
           ("cpu_s_per_M", "CPU s/M at 20k q/s", "{:.2f}"), ("mean_ms", "mean ms at 20k", "{:.3f}"),
           ("p99_ms", "p99 ms at 20k", "{:.2f}"), ("rss_mb", "RSS MB", "{:.1f}"),
           ("peak_rss_mb", "peak RSS MB", "{:.1f}"), ("ready_s", "start to ready s", "{:.2f}")]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
        with open(path) as f:
            result = json.load(f)
        medians, spread = result["medians"], result["spread"]
        rounds = result["args"]["rounds"]
        foreign = [r["foreign_cpu0"] for r in result["runs"]]
        print(f"\n{path}: {rounds} rounds; other processes took {min(foreign):.0%}-{max(foreign):.0%} of CPU 0 during the runs\n")
        print("| server | " + " | ".join(c[1] for c in COLUMNS) + " |")
        print("|---" * (len(COLUMNS) + 1) + "|")
        knot = medians.get("knot")
        for server, values in medians.items():
            cells = []
            for key, _, fmt in COLUMNS:
                v = values.get(key)
                if v is None or v != v:
                    cells.append("-")
                    continue
                cell = fmt.format(v)
                if knot and server != "knot" and knot.get(key):
                    cell += f" ({v / knot[key]:.2f}×)"
                lo, hi = spread[server].get(key, (v, v))
                cell += f" <sub>{fmt.format(lo)}–{fmt.format(hi)}</sub>"
                cells.append(cell)
            print(f"| {server} | " + " | ".join(cells) + " |")
        for server, values in medians.items():
            if values.get("fresh_p50_ms") == values.get("fresh_p50_ms") and values.get("fresh_p50_ms") is not None:
                print(f"\nFreshness ({server}): p50 {values['fresh_p50_ms']:.2f} ms, p99 {values['fresh_p99_ms']:.2f} ms "
                      f"(median of {rounds} rounds of {result['args']['fresh']} Service creations under "
                      f"{result['args']['rate']} q/s)")


if __name__ == "__main__":
    main()
