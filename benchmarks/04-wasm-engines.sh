#!/usr/bin/env bash
# Figure 4: Wasm engines on the same proxy-wasm module, driven in-process through a host API.
#
# What it measures: nanoseconds per request cycle of benchmarks/wasm/bench_filter.wasm (new stream
# context, proxy_on_request_headers with 8 headers, proxy_on_response_headers with 5, then
# proxy_on_done/on_log/on_delete) in the filter modes noop, headers (2 header reads + 2 adds),
# getheader=0 and getheader=N (N reads of :path), and from the last two the cost of one host call:
# (t(getheader=N) - t(getheader=0)) / N. Every engine checks once that the filter really ran
# (headers added, N host calls served) before it is timed.
#
# Engines (one thread each, all pinned to the same core, $BENCH_PROXY_CPUS):
#   graalwasm  GraalWasm with its JIT, through our proxy-wasm host (wasm-runtime/, the data plane's
#              code path; it refuses to run interpreted) - JMH, JVM flags as deploy/bin/dataplane
#   chicory    proxy-wasm-java-host 0.0.5 on Chicory 1.5.1 with Chicory's runtime compiler (Wasm ->
#              JVM bytecode; the library's default is Chicory's interpreter, slower) - JMH
#   v8         Node's V8 with the small host in benchmarks/engines/v8/host.mjs - same warm-up and
#              1-second iterations in JS
# Each engine first warms up until its speed is stable (250 ms chunks, last 6 within 5%, at most
# BENCH_PREWARM_MAX seconds): GraalWasm's JIT takes tens of seconds on one core, the others a few.
# Rounds alternate the engines: round r runs graalwasm, chicory (one JMH fork per engine and mode),
# then v8. Baseline of the ratios: V8 and Chicory (GraalWasm / V8, GraalWasm / Chicory).
#
# Knobs: BENCH_ROUNDS (2), BENCH_WARMUP JMH warm-up iterations of 1 s after the pre-warm (2),
#   BENCH_DURATION measured 1-second iterations per round (3), BENCH_PREWARM_MAX (45),
#   BENCH_GETHEADER_N (100), BENCH_ENGINES (graalwasm chicory v8; chicory-interp also works),
#   BENCH_PROXY_CPUS (0), BENCH_MAX_SECONDS (900).
# Default run time: about 3 minutes per round on a quiet machine (GraalWasm's warm-up dominates:
# 15-30 s per mode), ~6 minutes; on a busy core the pre-warm bound (45 s per fork) can stretch
# a round to ~5 minutes.
set -euo pipefail
BENCH_ROUNDS=${BENCH_ROUNDS:-2}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_DURATION=${BENCH_DURATION:-3}
BENCH_MAX_SECONDS=${BENCH_MAX_SECONDS:-900}
source "$(dirname "$0")/lib/common.sh"
bench_arm_deadline

PREWARM_MAX=${BENCH_PREWARM_MAX:-45}
N=${BENCH_GETHEADER_N:-100}
ENGINES=${BENCH_ENGINES:-graalwasm chicory v8}
MODES=(noop headers getheader=0 "getheader=$N")
WASM="$BENCH_DIR/wasm/bench_filter.wasm"
HOST_MJS="$BENCH_DIR/engines/v8/host.mjs"
RESULTS="$BENCH_DIR/results/$BENCH_NAME.md"
COMMAND="$0 $*"
for v in BENCH_ROUNDS BENCH_WARMUP BENCH_DURATION BENCH_PREWARM_MAX BENCH_GETHEADER_N BENCH_ENGINES BENCH_PROXY_CPUS; do
  [ -n "${!v:-}" ] && COMMAND="$v=${!v} $COMMAND"
done

bench_require node taskset
bench_build_tools
jvm_engines=()
run_v8=0
for e in $ENGINES; do
  case "$e" in
    v8) run_v8=1 ;;
    graalwasm | chicory | chicory-interp) jvm_engines+=("$e") ;;
    *) bench_die "unknown engine $e (graalwasm, chicory, chicory-interp, v8)" ;;
  esac
done
modes_csv=$(IFS=,; echo "${MODES[*]}")
n_modes=${#MODES[@]}
# Bounds per run: every fork/mode pre-warms, warms up and measures; plus JVM start and slack.
per_mode=$((PREWARM_MAX + BENCH_WARMUP + BENCH_DURATION + 15))

declare -A SAMPLES=()   # "engine mode" -> space-separated ns/op of each round
record() { SAMPLES["$1 $2"]="${SAMPLES["$1 $2"]:-} $3"; }

# parse_results LOG ROUND: turns RESULT lines into samples and prints one line per measurement.
parse_results() {
  local log=$1 round=$2 line engine mode ns err
  while read -r line; do
    engine=$(sed -n 's/.*engine=\([^ ]*\).*/\1/p' <<<"$line")
    mode=$(sed -n 's/.*mode=\([^ ]*\).*/\1/p' <<<"$line")
    ns=$(sed -n 's/.* ns=\([^ ]*\).*/\1/p' <<<"$line")
    err=$(sed -n 's/.* error=\([^ ]*\).*/\1/p' <<<"$line")
    record "$engine" "$mode" "$ns"
    printf 'round %d  %-14s %-14s %10.1f ns/request  (+- %s)\n' "$round" "$engine" "$mode" "$ns" "$err"
  done < <(grep '^RESULT ' "$log" || true)
  grep -E '^# .*(prewarm|engine check)' "$log" | sed 's/^# /    /' >&2 || true
}

for round in $(seq 1 "$BENCH_ROUNDS"); do
  for e in "${jvm_engines[@]}"; do
    bench_log "round $round: $e (JMH, one fork per mode)"
    bench_start "jmh-$e-$round" "$BENCH_PROXY_CPUS" timeout $((n_modes * per_mode + 30)) \
      "${BENCH_JAVA[@]}" dev.xdsdp.bench.engines.EnginesMain --wasm "$WASM" --engines "$e" --modes "$modes_csv" \
      --forks 1 --prewarm-max "$PREWARM_MAX" --warmup "$BENCH_WARMUP" --iterations "$BENCH_DURATION"
    wait "$BENCH_LAST_PID" || { tail -n 40 "$BENCH_WORK/jmh-$e-$round.log" >&2; bench_die "JMH run of $e failed (see $BENCH_WORK/jmh-$e-$round.log)"; }
    grep -q "JIT OFF" "$BENCH_WORK/jmh-$e-$round.log" && bench_die "GraalWasm ran without its JIT"
    parse_results "$BENCH_WORK/jmh-$e-$round.log" "$round"
  done
  if [ "$run_v8" = 1 ]; then
    bench_log "round $round: v8 (node $(node --version))"
    bench_start "v8-$round" "$BENCH_PROXY_CPUS" timeout $((n_modes * per_mode + 30)) \
      node "$HOST_MJS" bench --wasm "$WASM" --modes "$modes_csv" --prewarm-max "$PREWARM_MAX" \
      --warmup "$BENCH_WARMUP" --iterations "$BENCH_DURATION"
    wait "$BENCH_LAST_PID" || { tail -n 40 "$BENCH_WORK/v8-$round.log" >&2; bench_die "the V8 run failed (see $BENCH_WORK/v8-$round.log)"; }
    parse_results "$BENCH_WORK/v8-$round.log" "$round"
  fi
done

# Summary.
engines_run=("${jvm_engines[@]}")
[ "$run_v8" = 1 ] && engines_run+=(v8)
median_of() { local s=${SAMPLES["$1 $2"]:-}; [ -n "$s" ] && bench_median $s || echo nan; }
per_call() {  # engine -> ns per host call
  local a b
  a=$(median_of "$1" "getheader=$N"); b=$(median_of "$1" "getheader=0")
  awk -v a="$a" -v b="$b" -v n="$N" 'BEGIN { if (a == "nan" || b == "nan") print "nan"; else printf "%.1f\n", (a - b) / n }'
}
fmt() { awk -v v="$1" 'BEGIN { if (v == "nan") print "n/a"; else printf "%.1f", v }'; }
ratio() { if [ "$1" = nan ] || [ "$2" = nan ]; then echo n/a; else bench_ratio "$1" "$2"; fi; }
has() { local x; for x in "${engines_run[@]}"; do [ "$x" = "$1" ] && return 0; done; return 1; }

{
  echo "## Figure 4: Wasm engines, ns per request cycle (median of $BENCH_ROUNDS rounds)"
  echo
  echo "Module \`bench_filter.wasm\`; request cycle = context create, request headers (8), response"
  echo "headers (5), done/log/delete; one thread pinned to CPU $BENCH_PROXY_CPUS. Lower is better."
  echo
  header="| mode |"; sep="|---|"
  for e in "${engines_run[@]}"; do header="$header $e |"; sep="$sep---:|"; done
  has graalwasm && has v8 && { header="$header GraalWasm / V8 |"; sep="$sep---:|"; }
  has graalwasm && has chicory && { header="$header GraalWasm / Chicory |"; sep="$sep---:|"; }
  echo "$header"; echo "$sep"
  for m in "${MODES[@]}" "host call"; do
    row="| $m |"
    declare -A val=()
    for e in "${engines_run[@]}"; do
      if [ "$m" = "host call" ]; then val[$e]=$(per_call "$e"); else val[$e]=$(median_of "$e" "$m"); fi
      row="$row $(fmt "${val[$e]}") |"
    done
    has graalwasm && has v8 && row="$row $(ratio "${val[graalwasm]}" "${val[v8]}") |"
    has graalwasm && has chicory && row="$row $(ratio "${val[graalwasm]}" "${val[chicory]}") |"
    unset val
    echo "$row"
  done
  echo
  echo "\"host call\" = (t(getheader=$N) - t(getheader=0)) / $N: one proxy_get_header_map_value(\":path\")"
  echo "including the guest's free() of the returned value."
  echo
  echo "Engines: graalwasm = $(grep -h -m1 -o 'GraalWasm via[^;]*' "$BENCH_WORK"/jmh-graalwasm-*.log 2>/dev/null | head -n1 || echo 'not run');"
  echo "chicory = $(grep -h -m1 -o 'proxy-wasm-java-host[^;]*' "$BENCH_WORK"/jmh-chicory-*.log 2>/dev/null | head -n1 || echo 'not run');"
  echo "v8 = $(grep -h -m1 -o 'V8 [^;]*' "$BENCH_WORK"/v8-*.log 2>/dev/null | head -n1 || echo 'not run'), host benchmarks/engines/v8/host.mjs."
  echo
  echo "Warm-up before timing (per fork/process, last round):"
  echo
  echo '```'
  for e in "${jvm_engines[@]}"; do grep -h '^# .* prewarm:' "$BENCH_WORK/jmh-$e-$BENCH_ROUNDS.log" | sed 's/^# //' || true; done
  [ "$run_v8" = 1 ] && { grep -h '^# v8 .* prewarm:' "$BENCH_WORK/v8-$BENCH_ROUNDS.log" | sed 's/^# //' || true; }
  echo '```'
  echo
  echo "All samples (ns/request, one per round):"
  echo
  for e in "${engines_run[@]}"; do for m in "${MODES[@]}"; do echo "- $e $m:${SAMPLES["$e $m"]:-}"; done; done
  echo
  echo "Command: \`$COMMAND\`  "
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC')  "
  echo "Machine: $(bench_machine)"
} >"$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
echo
cat "$RESULTS"
