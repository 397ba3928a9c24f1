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
source "$(dirname "$(readlink -f "$0")")/lib/common.sh"
BENCH_WARMUP=${BENCH_WARMUP:-30}
profile_seconds=${PROFILE_SECONDS:-20}
bench_arm_deadline
bench_require wrk nginx curl
bench_build_dataplane

upstream_port=$(bench_free_port)
admin_port=$(bench_free_port)
declare -A port
for v in nofilter noop headers body; do port[$v]=$(bench_free_port); done
body=$(head -c 1024 /dev/zero | tr '\0' 'x')
mkdir -p "$BENCH_WORK"/nginx-{body,proxy,fastcgi,uwsgi,scgi}
sed -e "s#@WORK@#$BENCH_WORK#g" -e "s#@UPSTREAM_PORT@#$upstream_port#g" -e "s#@BODY@#$body#" \
  "$BENCH_DIR/configs/wasm/upstream-nginx.conf.in" >"$BENCH_WORK/upstream-nginx.conf"
sed -e "s#@ADMIN_PORT@#$admin_port#" -e "s#@UPSTREAM_PORT@#$upstream_port#" \
  -e "s#@WASM@#$BENCH_DIR/wasm/bench_filter.wasm#" \
  -e "s#@PORT_NOFILTER@#${port[nofilter]}#" -e "s#@PORT_NOOP@#${port[noop]}#" \
  -e "s#@PORT_HEADERS@#${port[headers]}#" -e "s#@PORT_BODY@#${port[body]}#" \
  "$BENCH_DIR/configs/wasm/envoy.yaml.in" >"$BENCH_WORK/envoy.yaml"

bench_start upstream "$BENCH_LOAD_CPUS" nginx -c "$BENCH_WORK/upstream-nginx.conf" -e "$BENCH_WORK/upstream-nginx.error.log"
bench_wait_http "http://127.0.0.1:$upstream_port/" 20
bench_dataplane dataplane "$BENCH_WORK/envoy.yaml"
pid=$BENCH_LAST_PID
bench_wait_http "http://127.0.0.1:$admin_port/ready" 120

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
