#!/usr/bin/env bash
# Where our proxy spends its time: JFR on the running data plane under wrk load, summarised as
# JFR's hot-methods and allocation views. Uses figure 3's setup (nginx upstream, one worker event
# loop pinned to $BENCH_PROXY_CPUS) and profiles two listeners in turn:
#   nofilter  plain HTTP/1.1 proxying (figure 1's path)
#   headers   the same with the header-editing proxy-wasm filter (figure 3)
# Output: benchmarks/results/profile-<listener>.txt (and the .jfr recordings in results/tmp/).
#
# Knobs: BENCH_WARMUP (30 s per listener), PROFILE_SECONDS (20), BENCH_CONNECTIONS (32).
# Default run: about 2 minutes.
#   benchmarks/profile.sh
# Set before common.sh, whose own default (10 s) would win otherwise.
BENCH_WARMUP=${BENCH_WARMUP:-30}
source "$(dirname "$(readlink -f "$0")")/lib/common.sh"
profile_seconds=${PROFILE_SECONDS:-20}
bench_arm_deadline
bench_require wrk nginx curl
bench_build_dataplane

source "$BENCH_DIR/configs/wasm/wasm.sh"
wasm_setup_start 1024
pid=$dataplane_pid

for v in nofilter headers; do
  url="http://127.0.0.1:${port[$v]}/"
  bench_wait_http "$url" 60
  bench_log "$v: warming up ${BENCH_WARMUP}s"
  bench_wrk "$url" "$BENCH_CONNECTIONS" "$BENCH_WARMUP" >/dev/null
  rec="$BENCH_WORK/$v.jfr"
  rm -f "$rec"
  "$JAVA_HOME/bin/jcmd" "$pid" JFR.start name="$v" settings=profile filename="$rec" >/dev/null
  read -r r a b e < <(bench_wrk "$url" "$BENCH_CONNECTIONS" "$profile_seconds")
  "$JAVA_HOME/bin/jcmd" "$pid" JFR.stop name="$v" >/dev/null
  out="$BENCH_DIR/results/profile-$v.txt"
  {
    echo "# JFR profile of the data plane, listener '$v', $r req/s (p50 $a ms, p99 $b ms) while recording"
    echo "# command: benchmarks/profile.sh; machine: $(bench_machine)"
    "$JAVA_HOME/bin/jfr" view --width 200 hot-methods "$rec"
    "$JAVA_HOME/bin/jfr" view --width 200 allocation-by-site "$rec" 2>/dev/null | head -n 30
    "$JAVA_HOME/bin/jfr" view --width 200 gc 2>/dev/null "$rec" | tail -n 5
  } >"$out"
  bench_log "$v: $r req/s while recording; profile in $out"
  head -n 40 "$out"
done
