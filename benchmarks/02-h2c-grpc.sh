#!/usr/bin/env bash
# Figure 2: HTTP/2 cleartext (h2c, prior knowledge) and gRPC unary proxying.
#
# Measures requests/s, p50 and p99 (h2load, one thread, BENCH_H2_CLIENTS connections x 10 streams
# each, the same for every target) of two workloads:
#   h2c   GET / answered with a fixed 64-byte body by an nginx h2c upstream (`listen ... http2`,
#         cleartext, prior knowledge)
#   grpc  POST /grpc.health.v1.Health/Check (an empty request: a 5-byte gRPC frame; content-type
#         application/grpc, te: trailers) answered SERVING by a grpc-java server
#         (dev.xdsdp.bench.upstream.GrpcUpstream, Netty, direct executor)
# through:
#   xdsdp    our data plane: two listeners (codec AUTO), router, STATIC clusters speaking HTTP/2
#            upstream (HttpProtocolOptions.explicit_http_config) (configs/http/envoy-h2.yaml)
#   haproxy  `bind ... proto h2`, `server ... proto h2`, http-reuse always (configs/http/haproxy-h2.cfg)
#   direct   h2load straight to the upstream
# Every proxy gets the same single core ($BENCH_PROXY_CPUS) and one worker; h2load and both
# upstreams share $BENCH_LOAD_CPUS. Every target gets the same warm-up on each workload (not
# recorded; our JVM gets 2 x BENCH_WARMUP s of load, it needs ~30-40 s on one core to reach a
# steady rate), then each round measures all six (target x workload), the target order rotating.
# Correctness: before and after the measurements every target must answer h2c with 200 and the
# exact body, and gRPC with 200, the 7-byte SERVING message and `grpc-status: 0` (curl, prior
# knowledge), plus one real grpc-java Health/Check call through it. During the measurements a
# response that is not 2xx counts as an error (h2load), and so does a wrong amount of DATA per
# response (a gRPC error reply is a 200 with only trailers, which h2load counts as a success).
#
# Knobs: BENCH_ROUNDS (5), BENCH_DURATION (7 s per measurement), BENCH_WARMUP (20 s per target
#        and workload), BENCH_H2_CLIENTS (16 connections, 10 concurrent streams each),
#        BENCH_PROXY_CPUS (0), BENCH_LOAD_CPUS (1), BENCH_MAX_SECONDS (720),
#        XDSDP_JAVA_OPTS (extra JVM options for our data plane).
# Default run time: ~6 minutes (6 x 20 s warm-up + 5 rounds x 6 x 7 s + start-up).
# Output: one line per measurement, then a Markdown summary (medians over rounds, ratios
# xdsdp/haproxy and xdsdp/direct), also written to benchmarks/results/02-h2c-grpc.md.

BENCH_DURATION=${BENCH_DURATION:-7}
BENCH_WARMUP=${BENCH_WARMUP:-20}
BENCH_MAX_SECONDS=${BENCH_MAX_SECONDS:-720}
BENCH_H2_CLIENTS=${BENCH_H2_CLIENTS:-16}
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
# shellcheck source=configs/http/http.sh
source "$BENCH_DIR/configs/http/http.sh"
bench_arm_deadline

bench_require h2load nginx haproxy curl od
bench_build_dataplane
bench_build_tools

GRPC_PATH=/grpc.health.v1.Health/Check
GRPC_REQ="$BENCH_WORK/grpc-request.bin"
printf '\0\0\0\0\0' >"$GRPC_REQ"   # uncompressed, length 0: an empty HealthCheckRequest
GRPC_HEADERS=(-H 'content-type: application/grpc' -H 'te: trailers')
# SERVING: flag 0, length 2, then field 1 (status) = 1.
GRPC_SERVING_HEX="00 00 00 00 02 08 01"
declare -A EXPECTED_DATA=([h2c]=${#HTTP_BODY} [grpc]=7)

bench_log "starting the upstreams (nginx h2c, grpc-java) and the proxies"
http_start_upstream
GRPC_UP_PORT=$(bench_free_port)
bench_start grpc-upstream "$BENCH_LOAD_CPUS" "${BENCH_JAVA[@]}" dev.xdsdp.bench.upstream.GrpcUpstream "$GRPC_UP_PORT"
GRPC_UP_PID=$BENCH_LAST_PID

HAPROXY_H2_PORT=$(bench_free_port); HAPROXY_GRPC_PORT=$(bench_free_port)
http_render haproxy-h2.cfg "$BENCH_WORK/haproxy-h2.cfg" H2_PORT="$HAPROXY_H2_PORT" GRPC_PORT="$HAPROXY_GRPC_PORT" \
  UP_H2_PORT="$UP_H2_PORT" GRPC_UP_PORT="$GRPC_UP_PORT"
haproxy -c -q -f "$BENCH_WORK/haproxy-h2.cfg" >"$BENCH_WORK/haproxy-h2.test.log" 2>&1 \
  || { cat "$BENCH_WORK/haproxy-h2.test.log" >&2; bench_die "haproxy rejects its configuration"; }
bench_start haproxy-h2 "$BENCH_PROXY_CPUS" haproxy -db -f "$BENCH_WORK/haproxy-h2.cfg"
HAPROXY_PID=$BENCH_LAST_PID

US_H2_PORT=$(bench_free_port); US_GRPC_PORT=$(bench_free_port); US_ADMIN=$(bench_free_port)
http_render envoy-h2.yaml "$BENCH_WORK/envoy-h2.yaml" H2_PORT="$US_H2_PORT" GRPC_PORT="$US_GRPC_PORT" \
  UP_H2_PORT="$UP_H2_PORT" GRPC_UP_PORT="$GRPC_UP_PORT" ADMIN_PORT="$US_ADMIN"
bench_dataplane xdsdp-h2 "$BENCH_WORK/envoy-h2.yaml"
US_PID=$BENCH_LAST_PID

http_wait grpc-upstream "$GRPC_UP_PID" "$GRPC_UP_PORT" 60
http_wait haproxy-h2 "$HAPROXY_PID" "$HAPROXY_H2_PORT"
http_wait haproxy-h2 "$HAPROXY_PID" "$HAPROXY_GRPC_PORT"
http_wait xdsdp-h2 "$US_PID" "$US_H2_PORT" 120
http_wait xdsdp-h2 "$US_PID" "$US_GRPC_PORT" 30
bench_wait_http "http://127.0.0.1:$US_ADMIN/ready" 30

TARGETS=(xdsdp haproxy direct)
WORKLOADS=(h2c grpc)
declare -A PORT=(
  [xdsdp.h2c]=$US_H2_PORT [xdsdp.grpc]=$US_GRPC_PORT
  [haproxy.h2c]=$HAPROXY_H2_PORT [haproxy.grpc]=$HAPROXY_GRPC_PORT
  [direct.h2c]=$UP_H2_PORT [direct.grpc]=$GRPC_UP_PORT
)
declare -A RPS=() P50=() P99=() ERRORS=()

# check_h2c TARGET: 200 with the exact body, over HTTP/2.
check_h2c() {
  http_check_body "http://127.0.0.1:${PORT[$1.h2c]}/" --http2-prior-knowledge
  local version
  version=$(curl -s -m 5 -o /dev/null -w '%{http_version}' --http2-prior-knowledge "http://127.0.0.1:${PORT[$1.h2c]}/")
  [ "$version" = 2 ] || bench_die "$1 h2c: answered over HTTP/$version"
}

# check_grpc TARGET: 200, the SERVING message and grpc-status 0 in the trailers (curl), then one
# Health/Check from a real grpc-java client.
check_grpc() {
  local t=$1 url="http://127.0.0.1:${PORT[$1.grpc]}$GRPC_PATH" out="$BENCH_WORK/grpc-check" code hex status
  code=$(curl -sv -m 5 --http2-prior-knowledge "${GRPC_HEADERS[@]}" --data-binary "@$GRPC_REQ" \
    -o "$out.body" -w '%{http_code}' "$url" 2>"$out.trace" || true)
  hex=$(od -An -tx1 -v "$out.body" 2>/dev/null | xargs || true)
  status=$(tr -d '\r' <"$out.trace" | awk 'tolower($0) ~ /^< grpc-status:/ { print $3 }' | tail -n1)
  [ "$code" = 200 ] && [ "$hex" = "$GRPC_SERVING_HEX" ] && [ "$status" = 0 ] \
    || { tr -d '\r' <"$out.trace" | grep '^[<>]' >&2 || true
         bench_die "$t gRPC: status ${code:-none}, message '$hex', grpc-status '${status:-none}' (expected 200, '$GRPC_SERVING_HEX', 0)"; }
  timeout 60 "${BENCH_JAVA[@]}" dev.xdsdp.bench.upstream.GrpcUpstream --check "${PORT[$t.grpc]}" >"$out.java" 2>&1 \
    || { cat "$out.java" >&2; bench_die "$t gRPC: grpc-java Health/Check failed"; }
}

verify_all() {
  local t
  for t in "${TARGETS[@]}"; do check_h2c "$t"; check_grpc "$t"; done
  bench_log "every target answers h2c (200, body) and gRPC (200, SERVING, grpc-status 0, grpc-java check) ($1)"
}
verify_all "before the warm-up"

# measure TARGET WORKLOAD SECONDS: prints "rps p50 p99 errors data_per_response"; a DATA amount per
# response that is not the expected one adds the responses to the errors.
measure() {
  local t=$1 w=$2 secs=$3 url res rps p50 p99 err data ok per extra=()
  if [ "$w" = grpc ]; then
    url="http://127.0.0.1:${PORT[$t.grpc]}$GRPC_PATH"; extra=(-d "$GRPC_REQ" "${GRPC_HEADERS[@]}")
  else
    url="http://127.0.0.1:${PORT[$t.h2c]}/"
  fi
  res=$(bench_h2load "$url" "$BENCH_H2_CLIENTS" "$secs" "${extra[@]}") || exit 1
  read -r rps p50 p99 err <<<"$res"
  # "traffic: 1.2MB (1234567) total, 12KB (12345) headers (space savings 90.00%), 64KB (65536) data"
  data=$(awk '/^traffic:/ { for (i = 2; i <= NF; i++) if ($i == "data") { v = $(i-1); gsub(/[(),]/, "", v); print v } }' "$BENCH_WORK/h2load.out")
  ok=$(awk '/^requests:/ { gsub(",", ""); for (i = 2; i <= NF; i++) if ($i == "succeeded") print $(i-1) }' "$BENCH_WORK/h2load.out")
  per=$(awk -v d="${data:-0}" -v n="${ok:-0}" 'BEGIN { if (n == 0) print 0; else printf "%.2f\n", d / n }')
  if awk -v p="$per" -v e="${EXPECTED_DATA[$w]}" 'BEGIN { exit !(p < e * 0.99 || p > e * 1.01) }'; then
    bench_log "WARNING: $t $w: $per DATA bytes per response, expected ${EXPECTED_DATA[$w]}: responses are not what the upstream sends"
    err=$(( err + ${ok:-0} ))
  fi
  echo "$rps $p50 $p99 $err $per"
}

for w in "${WORKLOADS[@]}"; do
  for t in "${TARGETS[@]}"; do
    bench_log "warm-up: $t $w, ${BENCH_WARMUP}s of h2load -c$BENCH_H2_CLIENTS -m10 (not recorded)"
    res=$(measure "$t" "$w" "$BENCH_WARMUP")
    read -r rps p50 p99 err per <<<"$res"
    echo "warm-up  $w $t: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $err, $per data bytes/response"
  done
done

for round in $(seq 1 "$BENCH_ROUNDS"); do
  for w in "${WORKLOADS[@]}"; do
    for i in 0 1 2; do
      t=${TARGETS[$(( (i + round - 1) % 3 ))]}
      res=$(measure "$t" "$w" "$BENCH_DURATION")
      read -r rps p50 p99 err per <<<"$res"
      echo "round $round  $w $t: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $err, $per data bytes/response"
      RPS[$w.$t]+=" $rps"; P50[$w.$t]+=" $p50"; P99[$w.$t]+=" $p99"; ERRORS[$w.$t]=$(( ${ERRORS[$w.$t]:-0} + err ))
    done
  done
done

verify_all "after the measurements"

# shellcheck disable=SC2086
{
  http_results_header "Figure 2: h2c and gRPC unary proxying"
  echo "- load: h2load -t1 -c$BENCH_H2_CLIENTS -m10, ${BENCH_DURATION}s per measurement, $BENCH_ROUNDS rounds (order rotated each round), ${BENCH_WARMUP}s warm-up per target and workload; proxies on CPU $BENCH_PROXY_CPUS with one worker, h2load and the upstreams on CPU $BENCH_LOAD_CPUS"
  echo "- h2c: GET / -> nginx h2c, 64-byte body; grpc: grpc.health.v1.Health/Check -> grpc-java (Netty), SERVING"
  echo
  http_md_row workload target "req/s (median)" "p50 ms" "p99 ms" errors "req/s per round"
  http_md_row --- --- ---: ---: ---: ---: ---
  for w in "${WORKLOADS[@]}"; do
    for t in "${TARGETS[@]}"; do
      http_md_row "$w" "$t" "$(bench_median ${RPS[$w.$t]})" "$(bench_median ${P50[$w.$t]})" \
        "$(bench_median ${P99[$w.$t]})" "${ERRORS[$w.$t]}" "$(echo ${RPS[$w.$t]} | tr ' ' '/')"
    done
  done
  echo
  http_md_row workload ratio "req/s" "p50" "p99"
  http_md_row --- --- ---: ---: ---:
  for w in "${WORKLOADS[@]}"; do
    for peer in haproxy direct; do
      http_md_row "$w" "xdsdp / $peer" \
        "$(bench_ratio "$(bench_median ${RPS[$w.xdsdp]})" "$(bench_median ${RPS[$w.$peer]})")" \
        "$(bench_ratio "$(bench_median ${P50[$w.xdsdp]})" "$(bench_median ${P50[$w.$peer]})")" \
        "$(bench_ratio "$(bench_median ${P99[$w.xdsdp]})" "$(bench_median ${P99[$w.$peer]})")"
    done
  done
} | tee "$BENCH_DIR/results/$BENCH_NAME.md"
