#!/usr/bin/env bash
set -u
rounds=${1:-5}; shift
ws=${*:-mstress rptest glibc-simple}
for r in $(seq $rounds); do
  for w in $ws; do
    order=$(echo A B H M | tr ' ' '\n' | shuf --random-source=<(yes $r) | tr '\n' ' ')
    for c in $order; do
      case $c in A) d=/tmp/bv-il; a=ebb;; B) d=/tmp/bv-final; a=ebb;; H) d=/tmp/bv-h; a=ebb;; M) d=/tmp/bv-final; a=mimalloc;; esac
      out=$(dotnet $d/Ebb.Benchmarks.dll suite-child $w --allocator $a 2>/dev/null)
      s=$(echo "$out" | awk -F'\t' '$2=="seconds"{print $3}'); f=$(echo "$out" | awk -F'\t' '$2=="figure"{print $3}'); cpu=$(echo "$out" | awk -F'\t' '$2=="cpu seconds"{print $3}'); rss=$(echo "$out" | awk -F'\t' '$2=="peak rss"{print $3}')
      echo -e "$r\t$w\t$c\t$s\t$f\t$cpu\t$rss"
    done
  done
done
