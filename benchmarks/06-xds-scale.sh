#!/usr/bin/env bash
# Figure 6: xDS scale. How long our data plane takes to apply a mesh-sized configuration pushed by
# java-control-plane over ADS, and how much memory it holds afterwards.
#
# The control plane is dev.xdsdp.bench.xds.XdsScaleServer (java-control-plane 1.0.49 V3DiscoveryServer
# over a SimpleCache keyed by node id, on $BENCH_LOAD_CPUS; it is also the HTTP upstream every
# endpoint points at). A configuration of C clusters and V x R routes is:
#   C EDS clusters, each with a ClusterLoadAssignment (EDS, as Istio sends them) of the upstream;
#   one listener whose HTTP connection manager takes its routes by RDS;
#   one RouteConfiguration of V virtual hosts x R prefix routes, spread over the clusters.
# Sizes: the figure's 1,000 clusters + 10,000 routes (100 x 100) and, as the reference point in the
# same run, 10 clusters + 100 routes (10 x 10), so the scaling is visible.
#
# Each run starts a fresh data plane (bench_dataplane: CPU $BENCH_PROXY_CPUS, --concurrency 1) with
# an ADS bootstrap (configs/xds/bootstrap.yaml) and, by default, no snapshot for its node yet:
#   1. waits until it is connected (control_plane.connected_state = 1);
#   2. pushes snapshot 1 and polls until everything is applied: a request through the last route of
#      the last virtual host answers 200 from the upstream, and /stats shows
#      cluster_manager.active_clusters = C + 1, listener_manager.total_listeners_active = 1 and the
#      CDS, LDS and RDS update_success counters moved. Reported: the time from the data plane's start
#      and the time from the moment the snapshot was set, the CPU seconds the data plane used, and
#      when CDS/LDS/RDS were accepted (their update_time stats) after the start;
#   3. heap after a full GC (jcmd GC.run, then GC.heap_info: young + old used) and RSS;
#   4. pushes snapshot 2, which changes every route (new prefixes, every route to another cluster;
#      clusters, endpoints and the listener keep their version, so only RDS moves) and polls until a
#      route that only snapshot 2 has answers 200 and the RDS update_success counter moved.
# With BENCH_XDS_PRESET=1 snapshot 1 is set before the data plane starts instead (a sidecar joining
# a mesh whose configuration already exists); then there is no push time for step 2.
# The control plane's own time to build each snapshot (protos + Snapshot.create, build_ms) is
# measured in the driver and reported beside, not charged to us. Times are wall-clock with a
# polling resolution of BENCH_XDS_POLL seconds.
#
# No peer: there is no Envoy binary reachable from this machine (no Debian, npm or Maven Central
# package ships one), so this figure has no side-by-side comparison; the small configuration in the
# same run is the baseline of the ratios.
#
# The bootstrap sets set_node_on_first_message_only: false: java-control-plane's SimpleCache picks a
# snapshot by the node of every request, so with true (Istio's setting) only the first request would
# be answered.
#
# Knobs: BENCH_ROUNDS (3), BENCH_XDS_APIS ("GRPC DELTA_GRPC": state of the world, delta),
#        BENCH_XDS_SIZES ("10:10:10 1000:100:100" = clusters:virtual_hosts:routes_per_host; the first
#        is the baseline), BENCH_XDS_PRESET (0), BENCH_XDS_TIMEOUT (180 s per wait),
#        BENCH_XDS_POLL (0.05 s), BENCH_PROXY_CPUS (0), BENCH_LOAD_CPUS (1), BENCH_MAX_SECONDS (900),
#        XDSDP_JAVA_OPTS (extra JVM options for our data plane, e.g. -Xmx512m).
# Default run time: ~4-6 minutes (3 rounds x 2 APIs x 2 sizes, a fresh data plane each; the large
# configuration dominates).
# Output: one line per run, then a Markdown summary (medians over rounds, ratios to the small
# configuration), also written to benchmarks/results/06-xds-scale.md.

BENCH_CMD="$(env | grep -E '^(BENCH_[A-Z_]+|XDSDP_JAVA_OPTS)=' | sort | tr '\n' ' ')$0${*:+ $*}"
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_MAX_SECONDS=${BENCH_MAX_SECONDS:-900}
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
bench_arm_deadline

BENCH_XDS_APIS=${BENCH_XDS_APIS:-GRPC DELTA_GRPC}
BENCH_XDS_SIZES=${BENCH_XDS_SIZES:-10:10:10 1000:100:100}
BENCH_XDS_PRESET=${BENCH_XDS_PRESET:-0}
BENCH_XDS_TIMEOUT=${BENCH_XDS_TIMEOUT:-180}
BENCH_XDS_POLL=${BENCH_XDS_POLL:-0.05}

bench_require curl taskset
bench_build_dataplane
bench_build_tools
# The distribution is built: point the launcher at it so that every start skips its staleness scan
# of the source tree (a start should cost the JVM and the data plane, nothing else).
export XDSDP_LIB="$REPO_ROOT/deploy/target/dataplane/lib"
JCMD="$JAVA_HOME/bin/jcmd"
[ -x "$JCMD" ] || bench_die "no jcmd in $JAVA_HOME/bin (a JDK, not a JRE, is needed for the heap figures)"

# --- the control plane -------------------------------------------------------------------------

bench_log "starting the control plane (java-control-plane) on CPU $BENCH_LOAD_CPUS"
bench_start xds-control-plane "$BENCH_LOAD_CPUS" "${BENCH_JAVA[@]}" dev.xdsdp.bench.xds.XdsScaleServer
CP_PID=$BENCH_LAST_PID
CP_LOG="$BENCH_WORK/xds-control-plane.log"
for _ in $(seq 1 600); do
  grep -q '^READY ' "$CP_LOG" 2>/dev/null && break
  kill -0 "$CP_PID" 2>/dev/null || { cat "$CP_LOG" >&2; bench_die "the control plane exited"; }
  sleep 0.1
done
read -r XDS_PORT CTL_PORT UP_PORT < <(awk '/^READY / { split($2, a, "="); split($3, b, "="); split($4, c, "=");
  print a[2], b[2], c[2]; exit }' "$CP_LOG")
[ -n "${UP_PORT:-}" ] || { cat "$CP_LOG" >&2; bench_die "the control plane did not start within 60 s"; }
bench_log "control plane: ADS on 127.0.0.1:$XDS_PORT, control on :$CTL_PORT, upstream on :$UP_PORT"

# now: wall clock in seconds (microsecond resolution, no fork).
now() { echo "$EPOCHREALTIME"; }
# elapsed FROM [TO]: seconds between two wall-clock times, 3 decimals.
elapsed() { awk -v a="$1" -v b="${2:-$EPOCHREALTIME}" 'BEGIN { printf "%.3f\n", b - a }'; }

# cp_push GROUP CLUSTERS VHOSTS ROUTES LISTENER_PORT ROUTES_VERSION: sets the snapshot of node
# GROUP; prints "build_ms set_ms set_at_s".
cp_push() {
  local out
  out=$(curl -sf -m 120 "http://127.0.0.1:$CTL_PORT/snapshot?group=$1&clusters=$2&vhosts=$3&routes=$4&listener_port=$5&routes_version=$6") \
    || bench_die "the control plane refused snapshot $6 for $1: ${out:-no answer}"
  awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
         printf "%s %s %.3f\n", v["build_ms"], v["set_ms"], v["set_at_ms"] / 1000 }' <<<"$out"
}

cp_clear() { curl -sf -m 10 -o /dev/null "http://127.0.0.1:$CTL_PORT/clear?group=$1" || true; }

# stats ADMIN_PORT: "name value" lines of the stats the apply checks need (filtered in the data
# plane, so that a poll does not print the ~126 stats of each of the 1,000 clusters).
STATS_FILTER='^(control_plane\.connected_state|cluster_manager\.(active_clusters|cds\.update_(success|time))|listener_manager\.(total_listeners_active|lds\.update_(success|time))|http\.bench\.rds\.bench_routes\.update_(success|time))$'
stats() {
  curl -s -m 5 -G --data-urlencode "filter=$STATS_FILTER" "http://127.0.0.1:$1/stats" 2>/dev/null \
    | awk -F': ' 'NF == 2 { print $1, $2 }'
}
stat_of() { awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' <<<"$1"; }

# wait_connected ADMIN_PORT PID: until the data plane's ADS stream is up.
wait_connected() {
  local deadline=$((SECONDS + BENCH_XDS_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$2" 2>/dev/null || bench_die "the data plane exited (see $BENCH_WORK/$RUN_NAME.log)"
    [ "$(stat_of "$(stats "$1")" control_plane.connected_state)" = 1 ] && return 0
    sleep "$BENCH_XDS_POLL"
  done
  bench_die "the data plane did not connect to the control plane in ${BENCH_XDS_TIMEOUT}s"
}

# wait_applied ADMIN LISTENER_PORT HOST PATH CLUSTERS MIN_RDS_SUCCESS PID: polls until the request
# through HOST+PATH answers 200 from the upstream (cheap for the data plane: a refused connection or
# a 404 until then), then until /stats shows everything applied. Sets APPLIED_AT (wall clock) and
# APPLIED_STATS (the last stats read); FIRST_ANSWER_AT and FIRST_CODE: when the listener first answered
# anything, and with which status.
wait_applied() {
  local admin=$1 lport=$2 host=$3 path=$4 clusters=$5 min_rds=$6 pid=$7
  local deadline=$((SECONDS + BENCH_XDS_TIMEOUT)) body s code t
  FIRST_ANSWER_AT="" FIRST_CODE=""
  while :; do
    [ $SECONDS -lt $deadline ] || bench_die "$host$path did not answer 200 from the upstream in ${BENCH_XDS_TIMEOUT}s (last: ${code:-none})"
    kill -0 "$pid" 2>/dev/null || bench_die "the data plane exited (see $BENCH_WORK/$RUN_NAME.log)"
    t=$(now)
    body=$(curl -s -m 5 -H "Host: $host" -w ' %{http_code}' "http://127.0.0.1:$lport$path" 2>/dev/null || true)
    code=${body##* }
    # The first answer of any status: the listener accepts (before, connections are refused).
    if [ -z "$FIRST_CODE" ] && [ -n "$code" ] && [ "$code" != 000 ]; then FIRST_ANSWER_AT=$t FIRST_CODE=$code; fi
    [ "$code" = 200 ] && [[ "$body" == "bench-upstream $path"* ]] && break
    sleep "$BENCH_XDS_POLL"
  done
  while :; do
    APPLIED_AT=$(now)
    s=$(stats "$admin")
    if [ "$(stat_of "$s" cluster_manager.active_clusters)" = $((clusters + 1)) ] \
       && [ "$(stat_of "$s" listener_manager.total_listeners_active)" = 1 ] \
       && [ "$(stat_of "$s" cluster_manager.cds.update_success)" -ge 1 ] \
       && [ "$(stat_of "$s" listener_manager.lds.update_success)" -ge 1 ] \
       && [ "$(stat_of "$s" http.bench.rds.bench_routes.update_success)" -ge "$min_rds" ]; then
      APPLIED_STATS=$s
      return 0
    fi
    [ $SECONDS -lt $deadline ] || bench_die "not everything applied in ${BENCH_XDS_TIMEOUT}s: $(tr '\n' ' ' <<<"$s")"
    sleep "$BENCH_XDS_POLL"
  done
}

# heap_after_gc PID: MiB of Java heap in use after a full GC (young + old generation, ParallelGC).
heap_after_gc() {
  timeout 60 taskset -c "$BENCH_LOAD_CPUS" "$JCMD" "$1" GC.run >/dev/null 2>&1 || { echo nan; return; }
  timeout 60 taskset -c "$BENCH_LOAD_CPUS" "$JCMD" "$1" GC.heap_info 2>/dev/null | awk '
    /(PSYoungGen|ParOldGen|garbage-first heap|def new generation|tenured generation)/ {
      for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); kb += v } }
    END { if (kb == "") print "nan"; else printf "%.1f\n", kb / 1024 }'
}

# The control plane's JIT warms up on one large build first, so that its first answers in round 1
# are not slower than the rest (its time is not ours, but it is on the wall clock we measure).
bench_log "warming up the control plane's snapshot building"
largest=$(tr ' ' '\n' <<<"$BENCH_XDS_SIZES" | sort -t: -k1,1n | tail -n1)
IFS=: read -r wc wv wr <<<"$largest"
for i in 1 2 3; do cp_push warmup "$wc" "$wv" "$wr" 1 "$i" >/dev/null; done
cp_clear warmup

declare -A T_START=() T_PUSH=() T_UPDATE=() CPU=() HEAP=() RSS=() BUILD=() BUILD2=() T_CONN=()
SIZE_LABEL() { IFS=: read -r c v r <<<"$1"; echo "${c}c/$((v * r))r"; }

run_one() {
  local api=$1 size=$2 round=$3
  local clusters vhosts routes key group admin lport boot pid t0 t_conn set_at build set_ms tot push
  IFS=: read -r clusters vhosts routes <<<"$size"
  key="$api $size"
  group="$api-${clusters}x${vhosts}x${routes}-r$round-$$"
  RUN_NAME="dataplane-$api-${clusters}c-r$round"
  admin=$(bench_free_port)
  lport=$(bench_free_port)
  boot="$BENCH_WORK/bootstrap-$api-${clusters}c.yaml"
  sed -e "s/\${NODE_ID}/$group/; s/\${API_TYPE}/$api/; s/\${XDS_PORT}/$XDS_PORT/; s/\${ADMIN_PORT}/$admin/" \
    "$BENCH_DIR/configs/xds/bootstrap.yaml" >"$boot"
  local last_host="vh$((vhosts - 1)).bench"

  if [ "$BENCH_XDS_PRESET" = 1 ]; then
    read -r build set_ms set_at < <(cp_push "$group" "$clusters" "$vhosts" "$routes" "$lport" 1)
    [ -n "${set_at:-}" ] || bench_die "could not set snapshot 1 for $group"
  fi
  t0=$(now)
  bench_dataplane "$RUN_NAME" "$boot"
  pid=$BENCH_LAST_PID
  if [ "$BENCH_XDS_PRESET" != 1 ]; then
    wait_connected "$admin" "$pid"
    t_conn=$(elapsed "$t0")
    read -r build set_ms set_at < <(cp_push "$group" "$clusters" "$vhosts" "$routes" "$lport" 1)
    [ -n "${set_at:-}" ] || bench_die "could not set snapshot 1 for $group"
  fi
  wait_applied "$admin" "$lport" "$last_host" "/v1/r$((routes - 1))/x" "$clusters" 1 "$pid"
  local applied1=$APPLIED_AT
  tot=$(elapsed "$t0" "$applied1")
  local first="listener answered ${FIRST_CODE:-?} at $(elapsed "$t0" "${FIRST_ANSWER_AT:-$applied1}")"
  local cpu
  cpu=$(bench_cpu_seconds "$pid")
  # When each xDS type was accepted, in seconds after the start (update_time is epoch ms).
  local phases
  phases=$(awk -v t0="$t0" '
    $1 == "cluster_manager.cds.update_time" { c = $2 } $1 == "listener_manager.lds.update_time" { l = $2 }
    $1 == "http.bench.rds.bench_routes.update_time" { r = $2 }
    END { printf "cds %.2f lds %.2f rds %.2f", c / 1000 - t0, l / 1000 - t0, r / 1000 - t0 }' <<<"$APPLIED_STATS")
  local heap rss
  heap=$(heap_after_gc "$pid")
  rss=$(bench_rss_mb "$pid")

  # Snapshot 2: every route changes, nothing else.
  local rds_before build2 set2 set_at2 upd
  rds_before=$(stat_of "$(stats "$admin")" http.bench.rds.bench_routes.update_success)
  read -r build2 set2 set_at2 < <(cp_push "$group" "$clusters" "$vhosts" "$routes" "$lport" 2)
  [ -n "${set_at2:-}" ] || bench_die "could not set snapshot 2 for $group"
  wait_applied "$admin" "$lport" "$last_host" "/v2/r$((routes - 1))/x" "$clusters" $((rds_before + 1)) "$pid"
  upd=$(elapsed "$set_at2" "$APPLIED_AT")

  bench_stop "$pid"
  cp_clear "$group"

  T_START[$key]+="$tot "
  CPU[$key]+="$cpu "
  HEAP[$key]+="$heap "
  RSS[$key]+="$rss "
  T_UPDATE[$key]+="$upd "
  BUILD[$key]+="$build "
  BUILD2[$key]+="$build2 "
  if [ "$BENCH_XDS_PRESET" != 1 ]; then
    push=$(elapsed "$set_at" "$applied1")
    T_PUSH[$key]+="$push "
    T_CONN[$key]+="$t_conn "
    echo "$api $(SIZE_LABEL "$size") round $round: start->applied ${tot}s (connected ${t_conn}s, push->applied ${push}s; $phases, $first), cpu ${cpu}s, heap after GC ${heap} MiB, rss ${rss} MiB; all routes changed: ${upd}s [control plane build ${build} ms / ${build2} ms]"
  else
    echo "$api $(SIZE_LABEL "$size") round $round: start->applied ${tot}s (preset snapshot; $phases, $first), cpu ${cpu}s, heap after GC ${heap} MiB, rss ${rss} MiB; all routes changed: ${upd}s [control plane build ${build} ms / ${build2} ms]"
  fi
}

for round in $(seq 1 "$BENCH_ROUNDS"); do
  for api in $BENCH_XDS_APIS; do
    for size in $BENCH_XDS_SIZES; do
      bench_log "round $round/$BENCH_ROUNDS: $api, $(SIZE_LABEL "$size")"
      run_one "$api" "$size" "$round"
    done
  done
done

# --- summary -------------------------------------------------------------------------------------

row() { printf '| %s |\n' "$(printf '%s | ' "$@" | sed 's/ | $//')"; }
# med "VALUES": the median, or "–" when there are none (the push columns of a preset run).
med() { if [ -z "${1// /}" ]; then echo "–"; else bench_median $1; fi; }
# ratio A B: A/B, or "–" when either is missing.
ratio() { if [ "$1" = "–" ] || [ "$2" = "–" ]; then echo "–"; else bench_ratio "$1" "$2"; fi; }
# ratio_row LABEL KEY BASE: one row of medians' ratios, KEY's over BASE's, for every measure.
ratio_row() {
  local k=$2 b=$3
  row "$1" \
    "$(ratio "$(med "${T_START[$k]}")" "$(med "${T_START[$b]}")")" \
    "$(ratio "$(med "${T_PUSH[$k]:-}")" "$(med "${T_PUSH[$b]:-}")")" \
    "$(ratio "$(med "${T_UPDATE[$k]}")" "$(med "${T_UPDATE[$b]}")")" \
    "$(ratio "$(med "${CPU[$k]}")" "$(med "${CPU[$b]}")")" \
    "$(ratio "$(med "${HEAP[$k]}")" "$(med "${HEAP[$b]}")")" \
    "$(ratio "$(med "${RSS[$k]}")" "$(med "${RSS[$b]}")")"
}
baseline=${BENCH_XDS_SIZES%% *}

# shellcheck disable=SC2086
{
  echo "## Figure 6: xDS scale (java-control-plane → xdsdp over ADS)"
  echo
  echo "- command: \`$BENCH_CMD\`"
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(bench_machine)"
  echo "- $BENCH_ROUNDS rounds, a fresh data plane per run (CPU $BENCH_PROXY_CPUS, --concurrency 1); control plane (java-control-plane 1.0.49, SimpleCache) and upstream on CPU $BENCH_LOAD_CPUS; snapshot 1 $([ "$BENCH_XDS_PRESET" = 1 ] && echo "set before the data plane starts" || echo "pushed once the data plane is connected"); EDS clusters, one RDS listener, V x R prefix routes; polled every ${BENCH_XDS_POLL}s"
  echo "- no peer: no Envoy binary is reachable from this machine; the ratios compare each configuration with $(SIZE_LABEL "$baseline")"
  echo "- columns (medians): *start→applied* from launching the data plane (JVM start included) until the last route answers 200 from the upstream and /stats shows every cluster active, the listener active and CDS/LDS/RDS accepted; *connected* until its ADS stream is up; *push→applied* from setting snapshot 1 in the control plane; *all routes changed* from setting snapshot 2 (every route new, RDS only) until a route of it answers 200; *CPU* the data plane's user+system seconds until applied; *heap* Java heap in use after a full GC (jcmd GC.run), *RSS* right after; *control plane build* the driver's time to build the protos and the snapshot (not included in any data plane time)"
  echo
  row API config "start→applied s" "connected s" "push→applied s" "all routes changed s" "CPU s to applied" "heap after GC MiB" "RSS MiB" "control plane build ms (snap 1 / 2)"
  row --- --- ---: ---: ---: ---: ---: ---: ---: ---:
  for api in $BENCH_XDS_APIS; do
    for size in $BENCH_XDS_SIZES; do
      k="$api $size"
      row "$api" "$(SIZE_LABEL "$size")" "$(med "${T_START[$k]}")" "$(med "${T_CONN[$k]:-}")" "$(med "${T_PUSH[$k]:-}")" \
        "$(med "${T_UPDATE[$k]}")" "$(med "${CPU[$k]}")" "$(med "${HEAP[$k]}")" "$(med "${RSS[$k]}")" \
        "$(med "${BUILD[$k]}") / $(med "${BUILD2[$k]}")"
    done
  done
  echo
  row ratio "start→applied" "push→applied" "all routes changed" "CPU" "heap" "RSS"
  row --- ---: ---: ---: ---: ---: ---:
  for api in $BENCH_XDS_APIS; do
    b="$api $baseline"
    for size in $BENCH_XDS_SIZES; do
      [ "$size" = "$baseline" ] && continue
      ratio_row "$api $(SIZE_LABEL "$size") / $(SIZE_LABEL "$baseline")" "$api $size" "$b"
    done
  done
  if [ "$(wc -w <<<"$BENCH_XDS_APIS")" -gt 1 ]; then
    first=${BENCH_XDS_APIS%% *}
    for api in $BENCH_XDS_APIS; do
      [ "$api" = "$first" ] && continue
      for size in $BENCH_XDS_SIZES; do
        ratio_row "$(SIZE_LABEL "$size") $api / $first" "$api $size" "$first $size"
      done
    done
  fi
} | tee "$BENCH_DIR/results/$BENCH_NAME.md"
