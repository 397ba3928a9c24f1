#!/usr/bin/env bash
# Where our proxy spends its time on HTTP/2: JFR on the running data plane under h2load, for
# figure 2's two workloads (h2c GET to an nginx h2c upstream, gRPC unary Health/Check to grpc-java)
# through figure 2's config (configs/http/envoy-h2.yaml, one worker pinned to $BENCH_PROXY_CPUS).
# Output per workload: benchmarks/results/profile-<h2c|grpc>.txt with JFR's hot methods, the
# share of samples by top-frame package, and the allocation sites (recordings in results/tmp/).
#
# Knobs: BENCH_WARMUP (30 s per workload), PROFILE_SECONDS (20), BENCH_H2_CLIENTS (16 connections,
#        10 streams each). Default run: about 2 minutes.
#   benchmarks/profile-h2.sh
BENCH_WARMUP=${BENCH_WARMUP:-30}
BENCH_H2_CLIENTS=${BENCH_H2_CLIENTS:-16}
# shellcheck source=lib/common.sh
source "$(dirname "$(readlink -f "$0")")/lib/common.sh"
# shellcheck source=configs/http/http.sh
source "$BENCH_DIR/configs/http/http.sh"
profile_seconds=${PROFILE_SECONDS:-20}
bench_arm_deadline
bench_require h2load nginx curl
bench_build_dataplane
bench_build_tools

http_start_upstream
GRPC_UP_PORT=$(bench_free_port)
bench_start grpc-upstream "$BENCH_LOAD_CPUS" "${BENCH_JAVA[@]}" dev.xdsdp.bench.upstream.GrpcUpstream "$GRPC_UP_PORT"
US_H2_PORT=$(bench_free_port); US_GRPC_PORT=$(bench_free_port); US_ADMIN=$(bench_free_port)
http_render envoy-h2.yaml "$BENCH_WORK/envoy-h2.yaml" H2_PORT="$US_H2_PORT" GRPC_PORT="$US_GRPC_PORT" \
  UP_H2_PORT="$UP_H2_PORT" GRPC_UP_PORT="$GRPC_UP_PORT" ADMIN_PORT="$US_ADMIN"
bench_dataplane xdsdp-h2 "$BENCH_WORK/envoy-h2.yaml"
pid=$BENCH_LAST_PID
bench_wait_port "$GRPC_UP_PORT" 60
bench_wait_http "http://127.0.0.1:$US_ADMIN/ready" 120

grpc_request="$BENCH_WORK/grpc-request.bin"
printf '\0\0\0\0\0' >"$grpc_request"   # an empty HealthCheckRequest
for w in h2c grpc; do
  if [ "$w" = grpc ]; then
    url="http://127.0.0.1:$US_GRPC_PORT/grpc.health.v1.Health/Check"
    extra=(-d "$grpc_request" -H 'content-type: application/grpc' -H 'te: trailers')
  else
    url="http://127.0.0.1:$US_H2_PORT/"
    extra=()
  fi
  bench_log "$w: warming up ${BENCH_WARMUP}s"
  bench_h2load "$url" "$BENCH_H2_CLIENTS" "$BENCH_WARMUP" "${extra[@]}" >/dev/null
  rec="$BENCH_WORK/$w.jfr"
  rm -f "$rec"
  "$JAVA_HOME/bin/jcmd" "$pid" JFR.start name="$w" settings=profile filename="$rec" >/dev/null
  read -r r a b e < <(bench_h2load "$url" "$BENCH_H2_CLIENTS" "$profile_seconds" "${extra[@]}")
  "$JAVA_HOME/bin/jcmd" "$pid" JFR.stop name="$w" >/dev/null
  out="$BENCH_DIR/results/profile-$w.txt"
  {
    echo "# JFR profile of the data plane, figure 2's '$w' workload, $r req/s (p50 $a ms, p99 $b ms, errors $e) while recording"
    echo "# command: benchmarks/profile-h2.sh; machine: $(bench_machine)"
    echo "# share of execution samples by the package of the top frame:"
    "$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample --stack-depth 1 "$rec" \
      | awk '/stackTrace = \[/ { getline; sub(/^ */, ""); sub(/\(.*/, ""); n = split($0, p, ".");
               k = (p[1] == "dev") ? p[1] "." p[2] "." p[3] "." p[4] : p[1] "." p[2]; c[k]++; t++ }
             END { for (k in c) printf "#   %5.1f%%  %s\n", 100 * c[k] / t, k }' | sort -k2 -rn | head -n 8
    "$JAVA_HOME/bin/jfr" view --width 200 hot-methods "$rec"
    "$JAVA_HOME/bin/jfr" view --width 200 allocation-by-site "$rec" 2>/dev/null | head -n 30
  } >"$out"
  bench_log "$w: $r req/s while recording; profile in $out"
  head -n 30 "$out"
done
