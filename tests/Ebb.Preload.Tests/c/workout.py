"""A Python program that exercises what an allocator must survive under a real interpreter:
json (many small objects), threads, subprocess (fork + exec with the preload inherited),
multiprocessing (fork without exec, then a pool), and a 1 ms interval timer whose signal
handler runs between allocations. Prints only deterministic results, so its output can be
compared byte for byte with and without the preload."""
import hashlib
import json
import multiprocessing
import signal
import subprocess
import sys
import threading

ticks = 0


def on_timer(signum, frame):
    global ticks
    ticks += 1
    _ = [str(i) for i in range(20)]  # allocate inside the handler too


signal.signal(signal.SIGALRM, on_timer)
signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)

# json: build, dump, parse back, many times.
doc = {"items": [{"id": i, "name": "item%d" % i, "tags": ["t%d" % (i % 7)] * (i % 5), "v": i * 0.5}
                 for i in range(20000)]}
text = json.dumps(doc, sort_keys=True)
for _ in range(5):
    doc = json.loads(text)
    text = json.dumps(doc, sort_keys=True)
print("json", len(text), hashlib.sha256(text.encode()).hexdigest()[:16])


# threads: each builds and hashes its own structures; results joined in order.
def work(n, out):
    data = {}
    for i in range(30000):
        data[i] = ("%d-%d" % (n, i)) * (i % 4 + 1)
        if i % 3 == 0:
            del data[i // 2]
    out[n] = hashlib.sha256(repr(sorted(data.items())).encode()).hexdigest()[:16]


results = {}
threads = [threading.Thread(target=work, args=(n, results)) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads", [results[n] for n in range(4)])

# subprocess: a child interpreter (inherits LD_PRELOAD) and a shell pipeline.
out = subprocess.run([sys.executable, "-c", "import json; print(json.dumps(sorted({str(i): i for i in range(1000)}.items())[:3]))"],
                     capture_output=True, text=True, check=True).stdout
print("subprocess", out.strip())
out = subprocess.run("seq 1 20000 | sort -r | head -3", shell=True, capture_output=True, text=True, check=True).stdout
print("pipeline", out.split())


def square_list(n):
    return sum(len(str(i * i)) for i in range(n))


# multiprocessing: fork start method (the pool's workers fork from this multi-threaded parent).
if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        print("pool", pool.map(square_list, [1000, 20000, 50000, 3]))
    q = ctx.Queue()
    p = ctx.Process(target=lambda: q.put(json.dumps({"child": list(range(10))})))
    p.start()
    print("process", q.get())
    p.join()
    print("exitcode", p.exitcode)
    signal.setitimer(signal.ITIMER_REAL, 0, 0)
    print("timer", "fired" if ticks > 10 else "did not fire (%d ticks)" % ticks)
