#!/usr/bin/env python3
"""Markdown tables from bench/kernel_bench's JSON output.

    build/bench/kernel_bench --benchmark_out=kernel_bench.json --benchmark_out_format=json
    scripts/kernel-bench-table.py kernel_bench.json
    build/bench/kernel_bench --benchmark_format=json | scripts/kernel-bench-table.py -

One table per array size (4096 elements, in cache; 16M, in memory), a row per (function, pass).
Columns, in G elements/s: ours (the instruction set the kernels pick on that machine, the
run's "actcheck_isa") in float32, float16 and bfloat16; ours in float32 on each other instruction
set measured; each peer in float32; then the fastest peer and ours/fastest peer in float32. With
--benchmark_repetitions, the median of the repetitions is shown. Standard library only.
"""

import argparse
import json
import signal
import statistics
import sys

PEERS = ["glibc", "sleef", "naive", "eigen_sse2", "eigen_avx512"]
FORMATS = ["f32", "f16", "bf16"]
ISAS = ["avx512", "avx2", "portable"]  # best first


def load(stream):
    """(context, {(fn, pass, peer, format, n): items/s}) from one JSON document."""
    doc = json.load(stream)
    samples, medians = {}, {}
    for b in doc.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        parts = name.split("/")
        if len(parts) != 6 or parts[0] != "BM" or "items_per_second" not in b:
            continue
        key = (parts[1], parts[2], parts[3], parts[4], int(parts[5]))
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[key] = b["items_per_second"]
        else:
            samples.setdefault(key, []).append(b["items_per_second"])
    rates = {k: statistics.median(v) for k, v in samples.items()}
    rates.update(medians)
    return doc.get("context", {}), rates


def giga(rate):
    """A rate in G elements/s, three significant digits, never in exponent form."""
    if rate is None:
        return "—"
    g = rate / 1e9
    if g >= 100:
        return f"{g:.0f}"
    if g >= 10:
        return f"{g:.1f}"
    if g >= 1:
        return f"{g:.2f}"
    digits = 2
    while g < 10 ** -digits and digits < 9:
        digits += 1
    return f"{g:.{digits + 1}f}"


def size_label(n):
    if n % (1 << 20) == 0:
        return f"{n >> 20}M"
    return str(n)


def ratio_cell(ours, best):
    if ours is None or best is None:
        return "—"
    r = ours / best
    text = f"{r:.2f}×"
    return f"**{text}**" if r < 0.5 else text


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", help="kernel_bench --benchmark_format=json output, or - for stdin")
    parser.add_argument("--isa", choices=ISAS, help="ours' instruction set (default: the run's)")
    args = parser.parse_args()
    if args.json == "-":
        context, rates = load(sys.stdin)
    else:
        with open(args.json, encoding="utf-8") as f:
            context, rates = load(f)
    if not rates:
        sys.exit("kernel-bench-table: no BM/<fn>/<pass>/<peer>/<format>/<n> results in the input")

    isas = [i for i in ISAS if any(k[2] == "actcheck_" + i for k in rates)]
    ours = args.isa or context.get("actcheck_isa")
    if ours not in isas:
        ours = isas[0] if isas else None
    other_isas = [i for i in isas if i != ours]
    peers = [p for p in PEERS if any(k[2] == p for k in rates)]
    rows = []  # (fn, pass) in the order of the run: the catalog's
    for k in rates:
        if (k[0], k[1]) not in rows:
            rows.append((k[0], k[1]))
    sizes = sorted({k[4] for k in rates})

    print("# actcheck kernel throughput")
    print()
    cpus = context.get("num_cpus", "?")
    mhz = context.get("mhz_per_cpu", "?")
    load_avg = ", ".join(f"{v:.2f}" for v in context.get("load_avg", [])) or "?"
    print(f"{context.get('date', '?')} on {context.get('host_name', '?')}: {cpus} CPUs at {mhz} MHz, "
          f"load average {load_avg}; actcheck built {context.get('actcheck_build_type', '?')}, "
          f"Google Benchmark {context.get('library_build_type', '?')}.")
    if context.get("inputs"):
        print(f"Inputs: {context['inputs']}.")
    if context.get("eigen_packet_floats"):
        print(f"Eigen floats per packet: {context['eigen_packet_floats']}.")
    print()
    print(f"G elements/s. *ours* = actcheck's kernels on {ours}; peers in float32; "
          "**bold**: ours below half the fastest peer.")

    for n in sizes:
        where = "in cache" if n <= 1 << 16 else "in memory"
        print()
        print(f"## {size_label(n)} elements ({where})")
        print()
        header = ["function", "pass", "ours f32", "ours f16", "ours bf16"]
        header += [f"{i} f32" for i in other_isas] + peers + ["fastest peer", "ours/fastest"]
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---", "---"] + ["---:"] * (len(header) - 2)) + "|")
        for fn, pass_ in rows:
            def rate(peer, fmt="f32"):
                return rates.get((fn, pass_, peer, fmt, n))

            cells = [fn, pass_]
            cells += [giga(rate("actcheck_" + ours, f)) if ours else "—" for f in FORMATS]
            cells += [giga(rate("actcheck_" + i)) for i in other_isas]
            cells += [giga(rate(p)) for p in peers]
            measured = [(rate(p), p) for p in peers if rate(p) is not None]
            best = max(measured) if measured else (None, "—")
            ours_f32 = rate("actcheck_" + ours) if ours else None
            cells += [best[1], ratio_cell(ours_f32, best[0])]
            print("| " + " | ".join(cells) + " |")

    # The kernels issue's goals, for the reader's convenience.
    eigen = [p for p in peers if p.startswith("eigen")]
    if ours and eigen:
        print()
        print("## Against the goals")
        print()
        for n in sizes:
            checks = []
            for fn, pass_ in rows:
                if fn not in ("sigmoid", "tanh"):
                    continue
                mine = rates.get((fn, pass_, "actcheck_" + ours, "f32", n))
                theirs = [rates.get((fn, pass_, p, "f32", n)) for p in eigen]
                theirs = [r for r in theirs if r is not None]
                if mine is not None and theirs:
                    checks.append(f"{fn} {pass_} {mine / max(theirs):.2f}×")
            slow = []
            for fn, pass_ in rows:
                mine = rates.get((fn, pass_, "actcheck_" + ours, "f32", n))
                theirs = [rates.get((fn, pass_, p, "f32", n)) for p in peers]
                theirs = [r for r in theirs if r is not None]
                if mine is not None and theirs and mine < 0.5 * max(theirs):
                    slow.append(f"{fn} {pass_} ({mine / max(theirs):.2f}×)")
            print(f"- {size_label(n)}: sigmoid and tanh against the faster Eigen (goal ≥ 1.00×): "
                  + (", ".join(checks) or "not measured") + ".")
            print(f"- {size_label(n)}: below half the fastest peer (goal: none): "
                  + (", ".join(slow) or "none") + ".")


if __name__ == "__main__":
    main()
