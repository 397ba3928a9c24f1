#!/usr/bin/env bash
# Figure 7: what proxying costs in CPU and memory, on the figure-1 setup (HTTP/1.1 keep-alive,
# 64-byte body from an upstream nginx; configs/http/envoy-http1.yaml and nginx-proxy.conf).
#
# Peers: xdsdp (our data plane, JVM defaults: ParallelGC, default heap) vs nginx (one worker).
# Both pinned to the same single core ($BENCH_PROXY_CPUS); wrk and the upstream on $BENCH_LOAD_CPUS.
# Each round starts each proxy afresh (the order alternating from round to round) and measures:
#   rss start      resident memory of the proxy's process tree 4 s after it answers (no load yet)
#   rss idle       the same 4 s after a BENCH_WARMUP-second wrk warm-up (no load)
#   idle cpu       CPU the tree uses over those 4 idle seconds (ms per second)
#   saturated      wrk -c$BENCH_CONNECTIONS as fast as it goes for BENCH_DURATION s: CPU seconds
#                  (utime+stime of the tree from /proc) per 1000 requests served, and peak RSS
#                  (sampled every second)
#   paced          the same connections, each waiting a fixed delay before every request (a wrk Lua
#                  script, configs/http/paced.lua), so about BENCH_PACED_RPS req/s: CPU seconds per
#                  1000 requests at the same moderate load for both, and peak RSS
# wrk2's fixed-rate mode is not in Debian: "paced" is wrk with a per-request delay, the rate it
# really served is printed, and CPU is always divided by the requests actually served.
# nginx's RSS is master + worker summed (their shared pages count twice).
#
# Knobs: BENCH_ROUNDS (3), BENCH_DURATION (8 s per loaded measurement), BENCH_WARMUP (30 s;
#        our JVM needs ~30 s of load to reach a steady rate),
#        BENCH_CONNECTIONS (32), BENCH_PACED_RPS (2000), BENCH_PROXY_CPUS (0), BENCH_LOAD_CPUS (1),
#        BENCH_MAX_SECONDS (600), XDSDP_JAVA_OPTS (extra JVM options for our data plane, e.g.
#        -Xmx256m to see the footprint with a bounded heap).
# Default run time: ~6 minutes (3 rounds x 2 proxies x ~60 s).
# Output: one line per measurement, then a Markdown summary (medians over rounds, ratios
# xdsdp/nginx), also written to benchmarks/results/07-resource-cost.md.

BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_WARMUP=${BENCH_WARMUP:-30}
BENCH_DURATION=${BENCH_DURATION:-8}
BENCH_MAX_SECONDS=${BENCH_MAX_SECONDS:-600}
BENCH_PACED_RPS=${BENCH_PACED_RPS:-2000}
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
# shellcheck source=configs/http/http.sh
source "$BENCH_DIR/configs/http/http.sh"
bench_arm_deadline

bench_require wrk nginx curl
bench_build_dataplane

IDLE_SECONDS=4
# Each connection waits this long before each request: C * 1000 / delay ~ BENCH_PACED_RPS.
export BENCH_PACED_DELAY_MS=$(( BENCH_CONNECTIONS * 1000 / BENCH_PACED_RPS ))
[ "$BENCH_PACED_DELAY_MS" -ge 1 ] || bench_die "BENCH_PACED_RPS=$BENCH_PACED_RPS is too high for $BENCH_CONNECTIONS connections"

bench_log "starting the upstream nginx"
http_start_upstream
http_check_body "http://127.0.0.1:$UP_PORT/"

TARGETS=(xdsdp nginx)
METRICS=(rss_start rss_idle idle_cpu sat_rps sat_cpu sat_rss paced_rps paced_cpu paced_rss)
declare -A V=() ERRORS=()

# start_target TARGET: starts it afresh; sets PID and URL.
start_target() {
  case "$1" in
    xdsdp) http_start_us_http1; PID=$US_PID; URL="http://127.0.0.1:$US_PORT/" ;;
    nginx) http_start_nginx_proxy; PID=$NGINX_PID; URL="http://127.0.0.1:$NGINX_PORT/" ;;
  esac
  http_check_body "$URL"
}

# loaded TARGET SECONDS [wrk args...]: runs wrk while sampling the tree's RSS every second; prints
# "rps cpu_s_per_1000_requests peak_rss_mb errors".
loaded() {
  local t=$1 secs=$2 cpu0 cpu1 peak=0 rss res requests i; shift 2
  cpu0=$(bench_tree_cpu_seconds "$PID")
  bench_wrk "$URL" "$BENCH_CONNECTIONS" "$secs" "$@" >"$BENCH_WORK/loaded.res" &
  local wrk_job=$!
  for i in $(seq 1 $((secs + 40))); do
    sleep 1
    rss=$(bench_tree_rss_mb "$PID")
    peak=$(awk -v a="$peak" -v b="$rss" 'BEGIN { print (b > a ? b : a) }')
    kill -0 "$wrk_job" 2>/dev/null || break
  done
  wait "$wrk_job" || bench_die "wrk failed on $t"
  cpu1=$(bench_tree_cpu_seconds "$PID")
  res=$(cat "$BENCH_WORK/loaded.res")
  requests=$(awk '/requests in/ { print $1; exit }' "$BENCH_WORK/wrk.out")
  [ "${requests:-0}" -gt 0 ] || bench_die "$t: wrk served no request"
  read -r rps _ _ err <<<"$res"
  awk -v r="$rps" -v c0="$cpu0" -v c1="$cpu1" -v n="$requests" -v p="$peak" -v e="$err" \
    'BEGIN { printf "%s %.4f %.1f %d\n", r, (c1 - c0) * 1000 / n, p, e }'
}

for round in $(seq 1 "$BENCH_ROUNDS"); do
  for i in 0 1; do
    t=${TARGETS[$(( (i + round - 1) % 2 ))]}
    bench_log "round $round: $t starting afresh"
    start_target "$t"
    sleep "$IDLE_SECONDS"
    rss_start=$(bench_tree_rss_mb "$PID")

    res=$(bench_wrk "$URL" "$BENCH_CONNECTIONS" "$BENCH_WARMUP")
    read -r wrps _ _ werr <<<"$res"
    cpu0=$(bench_tree_cpu_seconds "$PID")
    sleep "$IDLE_SECONDS"
    cpu1=$(bench_tree_cpu_seconds "$PID")
    rss_idle=$(bench_tree_rss_mb "$PID")
    idle_cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.1f\n", (b - a) * 1000 / s }')

    res=$(loaded "$t" "$BENCH_DURATION")
    read -r sat_rps sat_cpu sat_rss sat_err <<<"$res"
    res=$(loaded "$t" "$BENCH_DURATION" -s "$HTTP_CONFIGS/paced.lua")
    read -r paced_rps paced_cpu paced_rss paced_err <<<"$res"
    http_check_body "$URL"

    echo "round $round  $t: rss start ${rss_start} MiB, after ${BENCH_WARMUP}s warm-up (${wrps} req/s, errors $werr) idle ${rss_idle} MiB using ${idle_cpu} ms CPU/s;" \
      "saturated ${sat_rps} req/s, ${sat_cpu} CPU-s/1000 req, peak ${sat_rss} MiB;" \
      "paced ${paced_rps} req/s, ${paced_cpu} CPU-s/1000 req, peak ${paced_rss} MiB; errors $((sat_err + paced_err))"
    for m in "${METRICS[@]}"; do V[$t.$m]+=" ${!m}"; done
    ERRORS[$t]=$(( ${ERRORS[$t]:-0} + sat_err + paced_err ))
    bench_stop "$PID"
  done
done

# shellcheck disable=SC2086
{
  http_results_header "Figure 7: resource cost of HTTP/1.1 proxying (figure-1 setup)"
  echo "- load: wrk -t1 -c$BENCH_CONNECTIONS, ${BENCH_DURATION}s per loaded measurement, ${BENCH_WARMUP}s warm-up after each fresh start, $BENCH_ROUNDS rounds (order alternating); paced = each connection waits ${BENCH_PACED_DELAY_MS} ms before each request (target ~$BENCH_PACED_RPS req/s); proxies on CPU $BENCH_PROXY_CPUS with one worker, wrk and upstream nginx on CPU $BENCH_LOAD_CPUS"
  echo "- CPU is utime+stime of the proxy's process tree (/proc) divided by the requests wrk completed; RSS of the tree (nginx: master + worker)"
  echo
  http_md_row target "RSS after start MiB" "RSS idle after warm-up MiB" "idle CPU ms/s" "saturated req/s" \
    "saturated CPU-s / 1000 req" "saturated peak RSS MiB" "paced req/s" "paced CPU-s / 1000 req" "paced peak RSS MiB" errors
  http_md_row --- ---: ---: ---: ---: ---: ---: ---: ---: ---: ---:
  for t in "${TARGETS[@]}"; do
    row=("$t")
    for m in "${METRICS[@]}"; do row+=("$(bench_median ${V[$t.$m]})"); done
    http_md_row "${row[@]}" "${ERRORS[$t]}"
  done
  row=("xdsdp / nginx")
  for m in "${METRICS[@]}"; do row+=("$(bench_ratio "$(bench_median ${V[xdsdp.$m]})" "$(bench_median ${V[nginx.$m]})")"); done
  http_md_row "${row[@]}" ""
} | tee "$BENCH_DIR/results/$BENCH_NAME.md"
