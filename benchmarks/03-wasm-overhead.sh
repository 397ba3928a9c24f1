#!/usr/bin/env bash
# Figure 3: what a proxy-wasm filter costs on the request path. One data plane (one worker event
# loop, pinned to $BENCH_PROXY_CPUS) with four listeners that route the same way to the same nginx
# upstream (a 1 KiB body) and differ only in their HTTP filter chain:
#   nofilter  router only (the baseline)
#   noop      bench_filter.wasm answering Continue to every callback
#   headers   bench_filter.wasm reading two request headers and adding a request and a response header
#   body      bench_filter.wasm buffering the response body and reading it whole
# wrk (HTTP/1.1 keep-alive, $BENCH_CONNECTIONS connections) runs against each listener in turn,
# $BENCH_ROUNDS rounds; the summary gives median requests/s, p50/p99 and the ratio to nofilter.
# The peer for the Wasm engine itself (V8, Chicory) is figure 4; there is no Envoy on this machine.
#
# Knobs: BENCH_ROUNDS (5), BENCH_DURATION (10 s), BENCH_WARMUP (20 s per listener),
# BENCH_CONNECTIONS (32), BENCH_BODY_BYTES (1024). Default run: about 5 minutes.
#   benchmarks/03-wasm-overhead.sh
# Set before common.sh, whose own default (10 s) would win otherwise.
BENCH_WARMUP=${BENCH_WARMUP:-20}
source "$(dirname "$(readlink -f "$0")")/lib/common.sh"
body_bytes=${BENCH_BODY_BYTES:-1024}
bench_arm_deadline
bench_require wrk nginx curl
bench_build_dataplane

variants=(nofilter noop headers body)
source "$BENCH_DIR/configs/wasm/wasm.sh"
wasm_setup_start "$body_bytes"

# Each listener must really proxy and each filter must really run before anything is measured.
for v in "${variants[@]}"; do
  bench_wait_http "http://127.0.0.1:${port[$v]}/" 60
  got=$(curl -s "http://127.0.0.1:${port[$v]}/" | wc -c)
  [ "$got" = "$body_bytes" ] || bench_die "$v: body of $got bytes, expected $body_bytes"
done
curl -s -D - -o /dev/null "http://127.0.0.1:${port[headers]}/" | grep -qi '^x-bench-response: 1' \
  || bench_die "the headers filter did not add x-bench-response"
# Module metrics reach the admin store shortly after the callback that moved them: poll.
for i in $(seq 1 100); do
  curl -s "http://127.0.0.1:$admin_port/stats" | grep -q 'bench_body_bytes: [1-9]' && break
  [ "$i" = 100 ] && bench_die "the body filter did not read the body (no bench_body_bytes counter)"
  curl -s -o /dev/null "http://127.0.0.1:${port[body]}/"
  sleep 0.1
done

bench_log "warming up each listener for ${BENCH_WARMUP}s"
for v in "${variants[@]}"; do bench_wrk "http://127.0.0.1:${port[$v]}/" "$BENCH_CONNECTIONS" "$BENCH_WARMUP" >/dev/null; done

declare -A rps p50 p99
for round in $(seq 1 "$BENCH_ROUNDS"); do
  for v in "${variants[@]}"; do
    read -r r a b e < <(bench_wrk "http://127.0.0.1:${port[$v]}/")
    [ "$e" = 0 ] || bench_die "$v: $e errors in round $round"
    rps[$v]+=" $r"; p50[$v]+=" $a"; p99[$v]+=" $b"
    printf 'round %d %-9s %8s req/s  p50 %6s ms  p99 %6s ms\n' "$round" "$v" "$r" "$a" "$b"
  done
done

kill -0 "$dataplane_pid" 2>/dev/null || bench_die "the data plane died during the run"
base=$(bench_median ${rps[nofilter]})
result="$BENCH_DIR/results/03-wasm-overhead.md"
{
  echo "### Figure 3: Wasm filter overhead (HTTP/1.1, $BENCH_CONNECTIONS connections, ${body_bytes}-byte body)"
  echo
  echo "Command: \`benchmarks/03-wasm-overhead.sh\` (BENCH_ROUNDS=$BENCH_ROUNDS BENCH_DURATION=$BENCH_DURATION BENCH_WARMUP=$BENCH_WARMUP)  "
  echo "Machine: $(bench_machine)"
  echo
  echo "| filter chain | req/s (median of $BENCH_ROUNDS) | p50 ms | p99 ms | req/s vs no filter |"
  echo "|---|---:|---:|---:|---:|"
  for v in "${variants[@]}"; do
    m=$(bench_median ${rps[$v]})
    echo "| $v | $m | $(bench_median ${p50[$v]}) | $(bench_median ${p99[$v]}) | $(bench_ratio "$m" "$base") |"
  done
} | tee "$result"
