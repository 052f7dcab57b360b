# Real programs for bench/preload.sh --real (sourced by it). Each function takes the library to
# preload ("" for glibc) and prints one result line in the workloads' format, or nothing when the
# program is not installed (preload.sh then records a failed run). Peak RSS is the preloaded
# program's own: the server's VmHWM for redis, GNU time's maximum resident size otherwise.

real_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# redis-server with the preload, redis-benchmark (not preloaded: its allocator is not measured)
# on the loopback: 100,000 requests of each of SET, GET, LPUSH, LPOP, INCR, SADD, HSET, 256-byte
# values, keys drawn from 100,000, 50 clients, pipelines of 16. Figure: requests per second.
# Debian's redis-server links libjemalloc: without a preload its malloc is jemalloc, not glibc's
# (the line then carries note=...), and with one, malloc/free/realloc go to the preloaded library
# while redis's mallctl/nallocx calls still reach jemalloc (statistics only).
real_redis() {
  local lib=$1 port pid t0 t1 hwm note=""
  command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null && command -v redis-cli >/dev/null || return 0
  ldd "$(command -v redis-server)" | grep -q libjemalloc && note=" note=redis-server_links_libjemalloc:_its_glibc_column_is_jemalloc"
  # Below the kernel's ephemeral range: redis-benchmark's 50 client ports of the round before
  # linger in TIME_WAIT there, and a server port drawn among them failed to bind (a failed round).
  local low; low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  port=$((10000 + RANDOM % (low > 12000 ? low - 11000 : 1000)))
  # Server and client on cores of their own when there are two: sharing both, the client's
  # scheduling moved the figure more than the server's allocator did (bench/results/redis-usable-size-20261206.md).
  local pin_server="" pin_client=""
  if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin_server="taskset -c 0"; pin_client="taskset -c 1"; fi
  LD_PRELOAD=$lib $pin_server redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --logfile "" --loglevel warning >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 200); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
  redis-cli -p "$port" ping 2>/dev/null | grep -q PONG || { echo "real_redis: redis-server did not answer on port $port" >&2; kill "$pid" 2>/dev/null; return 1; }
  t0=$(date +%s.%N)
  # A server that dies mid-run leaves redis-benchmark reconnecting for ever: hence the timeout.
  timeout 120 $pin_client redis-benchmark -h 127.0.0.1 -p "$port" -n 100000 -c 50 -P 16 -d 256 -r 100000 -q \
    -t set,get,lpush,lpop,incr,sadd,hset >/dev/null 2>&1 || { echo "real_redis: redis-benchmark failed" >&2; kill "$pid" 2>/dev/null; return 1; }
  t1=$(date +%s.%N)
  kill -0 "$pid" 2>/dev/null || { echo "real_redis: redis-server died during the run" >&2; return 1; }
  hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$pid/status")
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$pid"
  wait "$pid" 2>/dev/null || true
  awk -v t0="$t0" -v t1="$t1" -v hwm="$hwm" -v note="$note" 'BEGIN{s=t1-t0; printf "workload=real-redis seconds=%.4f figure=%.6g unit=requests/s threads=1 peak_rss_kib=%d%s\n", s, 700000/s, hwm, note}'
}

# Runs "$@" with the preload under GNU time; prints "seconds peak_kib", or fails.
real_timed() {
  local lib=$1; shift
  local f; f=$(mktemp)
  LD_PRELOAD=$lib /usr/bin/time -f '%e %M' -o "$f" "$@" >/dev/null 2>&1 || { rm -f "$f"; return 1; }
  tail -1 "$f"; rm -f "$f"
}

# sqlite3 on a database generated once per bench run (without any preload): 300,000 rows of text,
# integers and reals with an index; the queries group, sort, join and build a temporary table in
# memory. Figure: runs per second (1 / seconds).
real_sqlite3() {
  local lib=$1 bin=$2 r
  command -v sqlite3 >/dev/null && [ -x /usr/bin/time ] || return 0
  if [ ! -e "$bin/bench.db" ]; then
    sqlite3 "$bin/bench.db" "
      CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c REAL);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
      INSERT INTO t SELECT i, hex(randomblob(8 + i % 24)), abs(random()) % 5000, (i * 7919 % 1000) / 7.0 FROM n;
      CREATE INDEX tb ON t(b);" || return 1
  fi
  r=$(real_timed "$lib" sqlite3 "$bin/bench.db" "
      PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;
      SELECT b % 100, count(*), avg(c), max(length(a)) FROM t GROUP BY b % 100 ORDER BY 2 DESC LIMIT 5;
      SELECT count(*) FROM (SELECT a FROM t ORDER BY a);
      CREATE TEMP TABLE g AS SELECT b, group_concat(substr(a, 1, 6)) AS s FROM t GROUP BY b;
      SELECT count(*), sum(length(s)) FROM g;
      SELECT count(*) FROM t x JOIN t y ON x.b = y.b AND x.id < y.id WHERE x.b < 200;
      SELECT count(DISTINCT substr(a, 1, 4)) FROM t;") || return 1
  set -- $r
  awk -v s="$1" -v k="$2" 'BEGIN{printf "workload=real-sqlite3 seconds=%.4f figure=%.6g unit=runs/s threads=1 peak_rss_kib=%d\n", s, 1/s, k}'
}

# python3 on bench/c/alloc-heavy.py (many small objects made and dropped). Figure: runs per second.
real_python3() {
  local lib=$1 py r
  py=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3 || true)
  [ -n "$py" ] && [ -x /usr/bin/time ] || return 0
  r=$(real_timed "$lib" "$py" "$real_here/alloc-heavy.py") || return 1
  set -- $r
  awk -v s="$1" -v k="$2" 'BEGIN{printf "workload=real-python3 seconds=%.4f figure=%.6g unit=runs/s threads=1 peak_rss_kib=%d\n", s, 1/s, k}'
}

# gcc -O2 compiling every program of bench/c (the driver, cc1 and as preloaded; each file a
# process). Figure: runs per second; peak RSS is the largest process's (cc1's).
real_gcc() {
  local lib=$1 bin=$2 r
  [ -x /usr/bin/time ] && command -v gcc >/dev/null || return 0
  mkdir -p "$bin/real-gcc"
  r=$(real_timed "$lib" bash -c 'for f in "$1"/*.c; do gcc -O2 -g -pthread -c -o "$2/$(basename "$f" .c).o" "$f" || exit 1; done' _ "$real_here" "$bin/real-gcc") || return 1
  set -- $r
  awk -v s="$1" -v k="$2" 'BEGIN{printf "workload=real-gcc seconds=%.4f figure=%.6g unit=runs/s threads=1 peak_rss_kib=%d\n", s, 1/s, k}'
}
