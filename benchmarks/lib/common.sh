# Sourced by every benchmark script. Finds the tools, starts and stops the processes under test,
# runs the load generators and reduces their output to medians and ratios.
#
# Conventions every script follows:
#  - traffic goes to 127.0.0.1 only;
#  - each process under test (us and the peers) is pinned to the same CPU set ($BENCH_PROXY_CPUS,
#    one core by default) with one worker; load generators and upstreams run on $BENCH_LOAD_CPUS;
#  - the peers and we run in the same invocation, alternating, $BENCH_ROUNDS rounds; a script
#    prints one line per measurement and a summary of medians and ratios;
#  - every tool runs under `timeout`, and the whole script under $BENCH_MAX_SECONDS.
# shellcheck shell=bash

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_DURATION=${BENCH_DURATION:-10}      # seconds per measurement
BENCH_WARMUP=${BENCH_WARMUP:-10}          # seconds of warm-up before the first round
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-32}
BENCH_MAX_SECONDS=${BENCH_MAX_SECONDS:-1200}
BENCH_PROXY_CPUS=${BENCH_PROXY_CPUS:-0}
BENCH_LOAD_CPUS=${BENCH_LOAD_CPUS:-1}
BENCH_NAME=${BENCH_NAME:-$(basename "$0" .sh)}
BENCH_WORK="$BENCH_DIR/results/tmp/$BENCH_NAME"
BENCH_PIDS=()

mkdir -p "$BENCH_WORK"

bench_log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
bench_die() { echo "error: $*" >&2; exit 1; }

# Ends every process this script started (and their children), on any exit.
bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  done
  sleep 0.3
  for pid in "${BENCH_PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
  done
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# The whole script stops itself after BENCH_MAX_SECONDS. The watchdog runs in a session of its
# own with no inherited output, so a pipe reading the script's output ends when the script does.
bench_arm_deadline() {
  setsid bash -c "sleep $BENCH_MAX_SECONDS; kill -USR1 $$" >/dev/null 2>&1 </dev/null &
  BENCH_PIDS+=("$!")
}
trap 'echo "error: $BENCH_NAME exceeded BENCH_MAX_SECONDS=$BENCH_MAX_SECONDS" >&2; exit 124' USR1

# bench_require CMD...: installs the Debian package of each missing command (as root), or stops.
bench_require() {
  local cmd pkg missing=()
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 && continue
    case "$cmd" in
      h2load) pkg=nghttp2-client ;;
      perf) pkg=linux-perf ;;
      clang) pkg="clang lld wasi-libc" ;;
      wat2wasm) pkg=wabt ;;
      node) pkg=nodejs ;;
      taskset) pkg=util-linux ;;
      *) pkg=$cmd ;;
    esac
    missing+=($pkg)
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || bench_die "missing ${missing[*]}: install them (apt-get install ${missing[*]})"
  bench_log "installing ${missing[*]} from Debian's packages"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$BENCH_WORK/apt.log" 2>&1; then
    apt-get update -qq >>"$BENCH_WORK/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$BENCH_WORK/apt.log" 2>&1 \
      || bench_die "could not install ${missing[*]} (see $BENCH_WORK/apt.log)"
  fi
  # Debian starts the daemons it installs; the benchmarks start their own.
  for cmd in nginx haproxy; do
    systemctl stop "$cmd" >/dev/null 2>&1 || service "$cmd" stop >/dev/null 2>&1 || true
  done
}

# bench_java: sets JAVA_HOME to a JDK 25 (as the launcher does) or stops.
bench_java() {
  # shellcheck source=../../deploy/bin/find-java.sh
  . "$REPO_ROOT/deploy/bin/find-java.sh"
  xdsdp_find_java || exit 1
  export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS:-}"
}

# bench_build_dataplane: builds the distribution the launcher runs, when it is missing or stale.
bench_build_dataplane() {
  bench_java
  "$REPO_ROOT/deploy/bin/dataplane" --version >/dev/null || bench_die "the data plane does not build"
}

# bench_build_tools: builds the benchmarks module (JMH benchmarks and the Java programs the scripts
# start) when it is missing or older than the sources; sets BENCH_JAVA to a command array prefix
# that runs a main class the way the launcher runs the data plane (GraalWasm JIT on):
#   "${BENCH_JAVA[@]}" dev.xdsdp.bench.xds.XdsScaleDriver ...
bench_build_tools() {
  bench_java
  local lib="$BENCH_DIR/target/lib" jar="$BENCH_DIR/target/benchmarks.jar"
  if [ ! -f "$jar" ] || [ ! -d "$lib/app" ] \
     || [ -n "$(find "$REPO_ROOT" -path "$REPO_ROOT/*/target" -prune -o \( -path '*/src/main/*' -o -name pom.xml \) -newer "$jar" -print -quit)" ]; then
    bench_log "building the benchmarks module"
    (cd "$REPO_ROOT" && mvn -B -q -ntp -DskipTests -pl benchmarks -am package >"$BENCH_WORK/build.log" 2>&1) \
      || bench_die "benchmarks module build failed (see $BENCH_WORK/build.log)"
    touch "$jar"
  fi
  BENCH_JAVA=("$JAVA_HOME/bin/java"
    -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI
    --upgrade-module-path="$lib/graal-upgrade" --module-path="$lib/graal" --add-modules=ALL-MODULE-PATH
    --enable-native-access=org.graalvm.truffle,ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
    -XX:+UseParallelGC -cp "$jar:$lib/app/*")
}

# bench_start NAME CPUS CMD...: starts CMD in its own process group, pinned to CPUS (a taskset
# list, or "" for no pinning), output to $BENCH_WORK/NAME.log. Sets BENCH_LAST_PID.
bench_start() {
  local name=$1 cpus=$2; shift 2
  if [ -n "$cpus" ]; then
    setsid taskset -c "$cpus" "$@" >"$BENCH_WORK/$name.log" 2>&1 < /dev/null &
  else
    setsid "$@" >"$BENCH_WORK/$name.log" 2>&1 < /dev/null &
  fi
  BENCH_LAST_PID=$!
  BENCH_PIDS+=("$BENCH_LAST_PID")
}

# bench_stop PID: stops a process started by bench_start and waits for it.
bench_stop() {
  local pid=$1 i
  kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# bench_free_port: prints a free TCP port on 127.0.0.1.
bench_free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-40000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# bench_wait_port PORT [SECONDS]: waits until something listens on 127.0.0.1:PORT.
bench_wait_port() {
  local port=$1 limit=${2:-60} i
  for i in $(seq 1 $((limit * 10))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  bench_die "nothing listens on 127.0.0.1:$port after ${limit}s"
}

# bench_wait_http URL [SECONDS] [EXPECTED_STATUS]: waits until URL answers with the status (200).
bench_wait_http() {
  local url=$1 limit=${2:-60} want=${3:-200} i code
  for i in $(seq 1 $((limit * 10))); do
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null || true)
    [ "$code" = "$want" ] && return 0
    sleep 0.1
  done
  bench_die "$url did not answer $want after ${limit}s (last: ${code:-none})"
}

# bench_wrk URL [CONNECTIONS] [SECONDS] [extra wrk args...]: runs wrk on $BENCH_LOAD_CPUS and
# prints "rps p50_ms p99_ms errors". Non-2xx responses and socket errors count as errors.
bench_wrk() {
  local url=$1 conns=${2:-$BENCH_CONNECTIONS} secs=${3:-$BENCH_DURATION}; shift $(( $# < 3 ? $# : 3 ))
  local out="$BENCH_WORK/wrk.out"
  timeout $((secs + 30)) taskset -c "$BENCH_LOAD_CPUS" wrk --latency -t1 -c"$conns" -d"${secs}s" "$@" "$url" >"$out" 2>&1 \
    || { cat "$out" >&2; bench_die "wrk failed on $url"; }
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { err += $5 }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, err + 0 }' "$out"
}

# bench_h2load URL [CLIENTS] [SECONDS] [extra h2load args...]: runs h2load (h2c prior knowledge)
# on $BENCH_LOAD_CPUS and prints "rps p50_ms p99_ms errors". h2load reports mean/sd of request
# time, not percentiles, so the percentiles come from its per-request log (--log-file).
bench_h2load() {
  local url=$1 clients=${2:-$BENCH_CONNECTIONS} secs=${3:-$BENCH_DURATION}; shift $(( $# < 3 ? $# : 3 ))
  local out="$BENCH_WORK/h2load.out" log="$BENCH_WORK/h2load.reqlog"
  rm -f "$log"
  timeout $((secs + 30)) taskset -c "$BENCH_LOAD_CPUS" h2load -c"$clients" -t1 -m10 -D"$secs" \
    --log-file="$log" "$@" "$url" >"$out" 2>&1 || { cat "$out" >&2; bench_die "h2load failed on $url"; }
  local rps errors
  rps=$(awk '/^finished in/ { for (i = 1; i <= NF; i++) if ($i ~ /req\/s/) { v = $(i-1); gsub(",", "", v); print v } }' "$out" | head -n1)
  # "requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout"
  errors=$(awk '/^requests:/ { gsub(",", ""); print $10 + $12 + $14 }' "$out")
  local non2xx
  non2xx=$(awk '/^status codes:/ { gsub(",", ""); print $5 + $7 + $9 }' "$out")
  # h2load counts a 4xx/5xx response as failed too: count each such response once.
  [ "${non2xx:-0}" -le "${errors:-0}" ] || errors=$non2xx; non2xx=0
  # log columns: start time (us), status, request time (us)
  local pct
  pct=$(awk '{ print $3 }' "$log" | sort -n | awk '{ v[NR] = $1 } END {
      if (NR == 0) { print "0 0"; exit }
      i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
      printf "%.3f %.3f\n", v[i50] / 1000, v[i99] / 1000 }')
  printf "%.0f %s %d\n" "${rps:-0}" "$pct" "$(( ${errors:-0} + ${non2xx:-0} ))"
}

# bench_median NUMBERS...: prints the median (mean of the middle two for an even count).
bench_median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_ratio A B: prints A/B with two decimals.
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "nan"; else printf "%.2f\n", a / b }'; }

# bench_cpu_seconds PID: user+system CPU seconds used so far by PID and its threads.
bench_cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$1/stat"
}

# bench_rss_mb PID: resident set size in MiB.
bench_rss_mb() { awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$1/status"; }

# bench_tree_pids PID: PID and all its descendants (nginx and haproxy fork workers).
bench_tree_pids() {
  local pid=$1 child
  echo "$pid"
  for child in $(pgrep -P "$pid" 2>/dev/null); do bench_tree_pids "$child"; done
}

# bench_tree_cpu_seconds PID / bench_tree_rss_mb PID: summed over the process tree.
bench_tree_cpu_seconds() {
  local total=0 p
  for p in $(bench_tree_pids "$1"); do total=$(awk -v a="$total" -v b="$(bench_cpu_seconds "$p" 2>/dev/null || echo 0)" 'BEGIN { print a + b }'); done
  echo "$total"
}
bench_tree_rss_mb() {
  local total=0 p
  for p in $(bench_tree_pids "$1"); do total=$(awk -v a="$total" -v b="$(bench_rss_mb "$p" 2>/dev/null || echo 0)" 'BEGIN { print a + b }'); done
  echo "$total"
}

# bench_machine: one line describing this machine, for RESULTS.md.
bench_machine() {
  local cpu mem
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "$(nproc) cores ($cpu), $mem, $(uname -sr), $(date -u +%Y-%m-%d)"
}

# bench_dataplane NAME CONFIG [extra args...]: starts our data plane pinned to $BENCH_PROXY_CPUS
# with one worker event loop. Sets BENCH_LAST_PID.
bench_dataplane() {
  local name=$1 config=$2; shift 2
  bench_start "$name" "$BENCH_PROXY_CPUS" "$REPO_ROOT/deploy/bin/dataplane" -c "$config" \
    --concurrency 1 -l warn "$@"
}
