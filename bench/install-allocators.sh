#!/usr/bin/env bash
# The allocators the benchmarks compare against (and any extra Debian packages named), installed
# with apt-get when root and missing; otherwise one line says which comparisons will be left out.
#   bench/install-allocators.sh CALLER [COMMAND ...]      (run by bench/run.sh and bench/suite.sh; a COMMAND missing from PATH is installed as the package of that name)
set -euo pipefail
caller=${1:-bench}; shift || true
libdir=/usr/lib/x86_64-linux-gnu
need=()
[ -e "$libdir/libmimalloc.so.2" ] || need+=(libmimalloc2.0)
[ -e "$libdir/libjemalloc.so.2" ] || need+=(libjemalloc2)
[ -e "$libdir/libtcmalloc_minimal.so.4" ] || need+=(libtcmalloc-minimal4)
for p in "$@"; do
  command -v "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "$caller: installing ${need[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "$caller: missing ${need[*]} and not root: the comparisons that need them will be left out" >&2
  fi
fi
