#!/usr/bin/env bash
# Figure 1: HTTP/1.1 keep-alive reverse proxying of a small body.
#
# Measures requests/s, p50 and p99 latency (wrk, one thread, the same connection count for every
# target) of GET / answered with a fixed 64-byte text/plain body ("0123456789abcdef" four times) by
# an upstream nginx (`return 200 "..."`), through:
#   xdsdp    our data plane: static bootstrap, HTTP connection manager + router, one STATIC cluster
#            (configs/http/envoy-http1.yaml; Envoy's defaults, no access log)
#   nginx    proxy_pass to an upstream block with a keepalive pool, proxy_http_version 1.1,
#            Connection "" (configs/http/nginx-proxy.conf)
#   haproxy  mode http, http-reuse always (configs/http/haproxy-http1.cfg)
#   direct   wrk straight to the upstream (no proxy)
# Every proxy gets the same single core ($BENCH_PROXY_CPUS) and one worker; wrk and the upstream
# share $BENCH_LOAD_CPUS. Each target gets the same warm-up (BENCH_WARMUP seconds of the same wrk
# load, not recorded; our JVM needs ~30 s of saturating load on one core before its JIT-compiled
# code reaches a steady rate), then every round measures all four,
# one after the other, the order rotating from round to round. Every target is checked to answer
# 200 with the exact body before and after the measurements; wrk's non-2xx and socket errors are
# counted per measurement.
#
# Knobs: BENCH_ROUNDS (5), BENCH_DURATION (10 s per measurement), BENCH_WARMUP (30 s per target),
#        BENCH_CONNECTIONS (32), BENCH_PROXY_CPUS (0), BENCH_LOAD_CPUS (1), BENCH_MAX_SECONDS (600),
#        XDSDP_JAVA_OPTS (extra JVM options for our data plane, e.g. -Xmx512m).
# Default run time: ~5.5 minutes (4 x 30 s warm-up + 5 rounds x 4 targets x 10 s + start-up).
# Output: one line per measurement, then a Markdown summary (medians over rounds and the ratios
# xdsdp/nginx, xdsdp/haproxy, xdsdp/direct), also written to benchmarks/results/01-http1-proxy.md.

BENCH_WARMUP=${BENCH_WARMUP:-30}
BENCH_MAX_SECONDS=${BENCH_MAX_SECONDS:-600}
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
# shellcheck source=configs/http/http.sh
source "$BENCH_DIR/configs/http/http.sh"
bench_arm_deadline

bench_require wrk nginx haproxy curl
bench_build_dataplane

bench_log "starting the upstream nginx and the three proxies"
http_start_upstream
http_start_nginx_proxy
http_start_haproxy_http1
http_start_us_http1

TARGETS=(xdsdp nginx haproxy direct)
declare -A URL=(
  [xdsdp]="http://127.0.0.1:$US_PORT/"
  [nginx]="http://127.0.0.1:$NGINX_PORT/"
  [haproxy]="http://127.0.0.1:$HAPROXY_PORT/"
  [direct]="http://127.0.0.1:$UP_PORT/"
)
declare -A RPS=() P50=() P99=() ERRORS=()

verify_all() {
  local t
  for t in "${TARGETS[@]}"; do http_check_body "${URL[$t]}"; done
  bench_log "every target answers 200 with the ${#HTTP_BODY}-byte body ($1)"
}
verify_all "before the warm-up"

for t in "${TARGETS[@]}"; do
  bench_log "warm-up: $t, ${BENCH_WARMUP}s of wrk -c$BENCH_CONNECTIONS (not recorded)"
  res=$(bench_wrk "${URL[$t]}" "$BENCH_CONNECTIONS" "$BENCH_WARMUP")
  read -r rps p50 p99 err <<<"$res"
  echo "warm-up  $t: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $err"
done

for round in $(seq 1 "$BENCH_ROUNDS"); do
  for i in 0 1 2 3; do
    t=${TARGETS[$(( (i + round - 1) % 4 ))]}
    res=$(bench_wrk "${URL[$t]}" "$BENCH_CONNECTIONS" "$BENCH_DURATION")
    read -r rps p50 p99 err <<<"$res"
    echo "round $round  $t: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $err"
    RPS[$t]+=" $rps"; P50[$t]+=" $p50"; P99[$t]+=" $p99"; ERRORS[$t]=$(( ${ERRORS[$t]:-0} + err ))
  done
done

verify_all "after the measurements"

# shellcheck disable=SC2086
{
  http_results_header "Figure 1: HTTP/1.1 keep-alive proxying, 64-byte body"
  echo "- load: wrk -t1 -c$BENCH_CONNECTIONS, ${BENCH_DURATION}s per measurement, $BENCH_ROUNDS rounds (order rotated each round), ${BENCH_WARMUP}s warm-up per target; proxies on CPU $BENCH_PROXY_CPUS with one worker, wrk and upstream nginx on CPU $BENCH_LOAD_CPUS"
  echo
  http_md_row target "req/s (median)" "p50 ms" "p99 ms" errors "req/s per round"
  http_md_row --- ---: ---: ---: ---: ---
  for t in "${TARGETS[@]}"; do
    http_md_row "$t" "$(bench_median ${RPS[$t]})" "$(bench_median ${P50[$t]})" "$(bench_median ${P99[$t]})" \
      "${ERRORS[$t]}" "$(echo ${RPS[$t]} | tr ' ' '/')"
  done
  echo
  http_md_row ratio "req/s" "p50" "p99"
  http_md_row --- ---: ---: ---:
  for peer in nginx haproxy direct; do
    http_md_row "xdsdp / $peer" \
      "$(bench_ratio "$(bench_median ${RPS[xdsdp]})" "$(bench_median ${RPS[$peer]})")" \
      "$(bench_ratio "$(bench_median ${P50[xdsdp]})" "$(bench_median ${P50[$peer]})")" \
      "$(bench_ratio "$(bench_median ${P99[xdsdp]})" "$(bench_median ${P99[$peer]})")"
  done
} | tee "$BENCH_DIR/results/$BENCH_NAME.md"
