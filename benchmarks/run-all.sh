#!/usr/bin/env bash
# Runs every figure in turn (never two at once: they would share the cores) and collects their
# summaries into results/latest.md. Roughly 50 minutes with the defaults; any knob of the
# individual scripts (BENCH_ROUNDS, BENCH_DURATION, ...) passes through.
#   benchmarks/run-all.sh                 # every figure
#   benchmarks/run-all.sh 01 03 08        # some of them, by number
set -uo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(01 02 03 04 05 06 07 08)
failed=()
for n in "${wanted[@]}"; do
  script=$(ls "$here"/"$n"-*.sh 2>/dev/null | head -n 1)
  [ -n "$script" ] || { echo "no script numbered $n" >&2; failed+=("$n"); continue; }
  echo "=== $(basename "$script") ($(date -u +%H:%M:%S))" >&2
  "$script" || failed+=("$(basename "$script")")
done
{
  echo "# Latest benchmark run ($(date -u +%Y-%m-%d))"
  for n in "${wanted[@]}"; do
    f=$(ls "$here"/results/"$n"-*.md 2>/dev/null | head -n 1)
    [ -n "$f" ] && { echo; cat "$f"; }
  done
} >"$here/results/latest.md"
echo "summaries in $here/results/latest.md" >&2
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}" >&2; exit 1; }
