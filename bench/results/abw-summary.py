import sys, statistics as st, collections
d=collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    p=line.rstrip('\n').split('\t')
    if len(p)<6 or not p[3]: continue
    d[p[1]][p[2]].append((float(p[3]),float(p[4]),float(p[5])))
for w in d:
    for v in d[w]:
        xs=d[w][v]
        print(f"{w:16} {v:14} n={len(xs)} figure {st.median(x[0] for x in xs):.4g} sec {st.median(x[1] for x in xs):.3f} rss {st.median(x[2] for x in xs):.1f}  (rss {min(x[2] for x in xs):.1f}-{max(x[2] for x in xs):.1f})")
