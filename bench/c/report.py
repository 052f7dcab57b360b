"""The report of bench/preload.sh: reads its raw log (round, allocator, result line of key=value
pairs) and prints markdown tables: per workload the median figure, time and peak RSS of each
allocator, and cost ratios against mimalloc and glibc (the median of the per-round ratios, so a
round that was slow for everyone cancels out). A cost is the time a unit of work takes: 1/rate for
rates, the figure itself for ns/pair and resident MiB. Below 1 means cheaper than the reference.
    python3 bench/c/report.py RAW_LOG ALLOCATOR..."""
import statistics as st
import sys
from collections import defaultdict

raw, allocators = sys.argv[1], sys.argv[2:]
runs = defaultdict(dict)          # (workload, allocator) -> {round: fields}
order, fails = [], []
for line in open(raw):
    rnd, alloc, rest = line.rstrip("\n").split("\t", 2)
    if rest.startswith("FAIL"):
        fails.append((rnd, alloc, rest))
        continue
    f = dict(kv.split("=", 1) for kv in rest.split())
    w = f["workload"]
    if w not in order:
        order.append(w)
    runs[(w, alloc)][rnd] = f


def cost(f):
    v = float(f["figure"])
    return 1.0 / v if f["unit"].endswith("/s") else v


def med(w, a, key, conv=float):
    vals = [conv(f[key]) for f in runs[(w, a)].values() if key in f]
    return st.median(vals) if vals else None


def ratio(w, a, ref):
    """Median over rounds of cost(a) / cost(ref), rounds where both ran."""
    mine, theirs = runs[(w, a)], runs[(w, ref)]
    rs = [cost(mine[r]) / cost(theirs[r]) for r in mine if r in theirs]
    return st.median(rs) if rs else None


def fmt_figure(v, unit):
    if v is None:
        return "-"
    if unit.endswith("/s") and v >= 1e6:
        return f"{v / 1e6:.2f} M"
    if unit.endswith("/s") and v >= 1e3:
        return f"{v / 1e3:.1f} k"
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def fmt_ratio(v):
    return "-" if v is None else f"{v:.2f}x"


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()


units = {w: next(iter(f.values()))["unit"] for (w, _), f in runs.items() if f}

print("## Figures\n")
print("Median over rounds; rates per second (M millions, k thousands), higher is better; "
      "pairs in ns per malloc+free pair and break-heap in resident MiB, lower is better.\n")
table(["workload", "unit"] + allocators,
      [[w, units[w]] + [fmt_figure(med(w, a, "figure"), units[w]) for a in allocators] for w in order])

for ref in ("mimalloc", "glibc"):
    if ref not in allocators:
        continue
    others = [a for a in allocators if a != ref]
    print(f"## Cost against {ref}\n")
    print(f"Median of per-round ratios of cost (time per unit of work; resident MiB for break-heap): "
          f"below 1.00x is better than {ref}.\n")
    table(["workload"] + others, [[w] + [fmt_ratio(ratio(w, a, ref)) for a in others] for w in order])

print("## Time\n")
print("Median wall seconds of the measured part (larson, xmalloc-test and glibc-thread run for a fixed time).\n")
table(["workload"] + allocators, [[w] + [f"{med(w, a, 'seconds'):.3f}" if med(w, a, "seconds") is not None else "-"
                                         for a in allocators] for w in order])

print("## Peak RSS\n")
print("Median of the process's peak resident set (getrusage ru_maxrss), MiB; in brackets, against mimalloc.\n")
rows = []
for w in order:
    row = [w]
    for a in allocators:
        v = med(w, a, "peak_rss_kib")
        m = med(w, "mimalloc", "peak_rss_kib") if "mimalloc" in allocators else None
        row.append("-" if v is None else f"{v / 1024:.1f}" + (f" ({v / m:.2f}x)" if m else ""))
    rows.append(row)
table(["workload"] + allocators, rows)

if "glibc" in allocators:
    print("## Peak RSS against glibc\n")
    print("Median of per-round ratios of peak RSS: below 1.00x is less than glibc's.\n")
    others = [a for a in allocators if a != "glibc"]

    def rss_ratio(w, a):
        mine, theirs = runs[(w, a)], runs[(w, "glibc")]
        rs = [float(mine[r]["peak_rss_kib"]) / float(theirs[r]["peak_rss_kib"]) for r in mine if r in theirs]
        return st.median(rs) if rs else None

    table(["workload"] + others, [[w] + [fmt_ratio(rss_ratio(w, a)) for a in others] for w in order])

if "pairs" in order:
    print("## Pairs by size\n")
    print("ns per malloc+free pair, batches of 100, best of 5 runs in each process, median over processes.\n")
    table(["size"] + allocators, [[s.replace("ns_", "") + " B"] + [
        f"{med('pairs', a, s):.2f}" if med('pairs', a, s) is not None else "-" for a in allocators]
        for s in ("ns_16", "ns_64", "ns_256", "ns_1024")])

if "break-heap" in order:
    print("## Break-heap\n")
    print("Resident MiB above the start (VmRSS): at the peak, right after freeing the 512 MiB under a live "
          "64 MiB, 1 s later with no call, right after one malloc/free pair at that point, and 1 s after it. "
          "Median over rounds.\n")
    keys = ["rss_peak_mib", "rss_after_free_mib", "rss_1s_mib", "rss_1s_after_pair_mib", "rss_2s_mib"]
    table(["allocator", "peak", "after free", "1 s", "1 s + pair", "2 s"],
          [[a] + [f"{med('break-heap', a, k):.1f}" if med('break-heap', a, k) is not None else "-" for k in keys]
           for a in allocators])

notes = sorted({(w, f["note"].replace("_", " ")) for (w, _), fs in runs.items() for f in fs.values() if "note" in f})
if notes:
    print("## Notes\n")
    for w, n in notes:
        print(f"- {w}: {n}")
    print()

if fails:
    print("## Failed runs\n")
    for rnd, alloc, rest in fails:
        print(f"- round {rnd}, {alloc}: {rest}")
    print()
