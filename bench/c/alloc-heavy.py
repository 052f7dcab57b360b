"""An allocation-heavy Python program for bench/preload.sh --real: dicts, tuples, strings and
lists made and dropped by the million, a JSON round trip, and a sort of many small objects."""
import json

rows = []
for i in range(150000):
    rows.append({"id": i, "name": "n%d" % i, "tags": ("a%d" % (i % 10), "b%d" % (i % 7)), "v": i * 0.5})
    if i % 3 == 0:
        rows[i // 2] = None
text = json.dumps([r for r in rows if r is not None])
back = json.loads(text)
back.sort(key=lambda r: (r["tags"][1], -r["id"]))
words = {}
for r in back:
    words.setdefault(r["tags"][0], []).append(r["name"] * 2)
print(len(back), sum(len(v) for v in words.values()))
