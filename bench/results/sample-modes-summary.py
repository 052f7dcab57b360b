#!/usr/bin/env python3
# Summarises sample-modes-20261205.sh output: per workload, the median over rounds of each mode's cost / release's (R).
# Cost is seconds for time workloads and 1/figure for throughput ones (larson, xmalloc-test, glibc-thread).
import sys, statistics as st, math
rate = {"larson", "xmalloc-test", "glibc-thread"}
rows = {}
for line in open(sys.argv[1]):
    p = line.rstrip("\n").split("\t")
    if len(p) < 7 or not p[3]: continue
    r, w, c, s, f, cpu, g = p
    cost = 1 / float(f) if w in rate else float(s)
    rows.setdefault(w, {}).setdefault(r, {})[c] = (cost, float(cpu), int(float(g)))
modes = sorted({c for w in rows.values() for r in w.values() for c in r} - {"R"})
print("| workload | " + " | ".join(f"{m} cost / R" for m in modes) + " | " + " | ".join(f"{m} guarded" for m in modes) + " |")
print("|---|" + "---:|" * (2 * len(modes)))
logs = {m: [] for m in modes}
for w, rs in rows.items():
    cells, gs = [], []
    for m in modes:
        ratios = [d[m][0] / d["R"][0] for d in rs.values() if m in d and "R" in d]
        med = st.median(ratios); logs[m].append(math.log(med))
        cells.append(f"{med:.3f}"); gs.append(str(int(st.median(d[m][2] for d in rs.values() if m in d))))
    print(f"| {w} | " + " | ".join(cells) + " | " + " | ".join(gs) + " |")
print("| geometric mean | " + " | ".join(f"{math.exp(sum(l)/len(l)):.3f}" for l in logs.values()) + " |" + " |" * len(modes))
