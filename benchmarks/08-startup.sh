#!/usr/bin/env bash
# Startup: from exec to the first request proxied to the upstream (200), us vs nginx vs HAProxy,
# each started fresh per measurement with the same one-route config, pinned to $BENCH_PROXY_CPUS:
#   xdsdp       deploy/bin/dataplane (JVM start, bootstrap parse, listener bind)
#   xdsdp+wasm  the same with one proxy-wasm filter (bench_filter.wasm, `headers`) in the chain:
#               module load, VM start and configure happen before the listener serves
#   nginx       nginx -c (one worker)
#   haproxy     haproxy -f (one thread)
# Also the CPU seconds the process used to get there and its resident memory at that moment.
# The launcher's source-tree staleness check is skipped (XDSDP_LIB), as in a deployed install.
#
# Knobs: BENCH_ROUNDS (5). Default run: about 1 minute.
#   benchmarks/08-startup.sh
source "$(dirname "$(readlink -f "$0")")/lib/common.sh"
bench_arm_deadline
bench_require nginx haproxy curl
bench_build_dataplane
export XDSDP_LIB="$REPO_ROOT/deploy/target/dataplane/lib"

upstream_port=$(bench_free_port)
mkdir -p "$BENCH_WORK"/nginx-{body,proxy,fastcgi,uwsgi,scgi}
sed -e "s#@WORK@#$BENCH_WORK#g" -e "s#@UPSTREAM_PORT@#$upstream_port#g" -e "s#@BODY@#hello#" \
  "$BENCH_DIR/configs/wasm/upstream-nginx.conf.in" >"$BENCH_WORK/upstream-nginx.conf"
bench_start upstream "$BENCH_LOAD_CPUS" nginx -c "$BENCH_WORK/upstream-nginx.conf" -e "$BENCH_WORK/upstream-nginx.error.log"
bench_wait_http "http://127.0.0.1:$upstream_port/" 20

# fill_config TEMPLATE OUT PROXY_PORT ADMIN_PORT WITH_WASM
fill_config() {
  local wasm_block=/dev/null
  [ "$5" = yes ] && wasm_block="$BENCH_WORK/wasm-filter.yaml"
  sed -e "s#@WASM@#$BENCH_DIR/wasm/bench_filter.wasm#" "$BENCH_DIR/configs/startup/wasm-filter.yaml.in" >"$BENCH_WORK/wasm-filter.yaml"
  awk -v block="$wasm_block" '$0 == "@WASM_FILTER@" { while ((getline l < block) > 0) print l; next } { print }' "$1" \
    | sed -e "s#@WORK@#$BENCH_WORK#g" -e "s#@UPSTREAM_PORT@#$upstream_port#g" \
          -e "s#@PROXY_PORT@#$3#g" -e "s#@ADMIN_PORT@#$4#g" >"$2"
}

# measure NAME: starts the target, prints "ms_to_first_200 cpu_s rss_mb".
measure() {
  local name=$1 port admin cmd=() t0 t1 code i pid
  port=$(bench_free_port); admin=$(bench_free_port)
  case "$name" in
    xdsdp|xdsdp+wasm)
      fill_config "$BENCH_DIR/configs/startup/envoy.yaml.in" "$BENCH_WORK/envoy.yaml" "$port" "$admin" \
        "$([ "$name" = xdsdp+wasm ] && echo yes || echo no)"
      cmd=("$REPO_ROOT/deploy/bin/dataplane" -c "$BENCH_WORK/envoy.yaml" --concurrency 1 -l warn) ;;
    nginx)
      fill_config "$BENCH_DIR/configs/startup/nginx-proxy.conf.in" "$BENCH_WORK/proxy-nginx.conf" "$port" "$admin" no
      cmd=(nginx -c "$BENCH_WORK/proxy-nginx.conf" -e "$BENCH_WORK/proxy-nginx.error.log") ;;
    haproxy)
      fill_config "$BENCH_DIR/configs/startup/haproxy.cfg.in" "$BENCH_WORK/haproxy.cfg" "$port" "$admin" no
      cmd=(haproxy -db -f "$BENCH_WORK/haproxy.cfg") ;;
  esac
  t0=$(date +%s%N)
  bench_start "start-$name" "$BENCH_PROXY_CPUS" "${cmd[@]}"
  pid=$BENCH_LAST_PID
  code=000
  for i in $(seq 1 6000); do
    code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:$port/" 2>/dev/null || true)
    [ "$code" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  t1=$(date +%s%N)
  [ "$code" = 200 ] || { tail -n 20 "$BENCH_WORK/start-$name.log" >&2; bench_die "$name never served (last status $code)"; }
  echo "$(( (t1 - t0) / 1000000 )) $(bench_tree_cpu_seconds "$pid") $(bench_tree_rss_mb "$pid")"
  bench_stop "$pid"
}

targets=(xdsdp xdsdp+wasm nginx haproxy)
declare -A ms cpu rss
measure xdsdp >/dev/null   # one untimed start: page cache warm for every target alike
for round in $(seq 1 "$BENCH_ROUNDS"); do
  for t in "${targets[@]}"; do
    read -r m c r < <(measure "$t")
    ms[$t]+=" $m"; cpu[$t]+=" $c"; rss[$t]+=" $r"
    printf 'round %d %-11s first 200 after %6s ms  cpu %5s s  rss %6s MiB\n' "$round" "$t" "$m" "$c" "$r"
  done
done

result="$BENCH_DIR/results/08-startup.md"
{
  echo "### Startup: exec → first request proxied (200)"
  echo
  echo "Command: \`benchmarks/08-startup.sh\` (BENCH_ROUNDS=$BENCH_ROUNDS)  "
  echo "Machine: $(bench_machine)"
  echo
  echo "| target | ms to first 200 (median) | CPU s used by then | RSS MiB then | time vs nginx |"
  echo "|---|---:|---:|---:|---:|"
  base=$(bench_median ${ms[nginx]})
  for t in "${targets[@]}"; do
    m=$(bench_median ${ms[$t]})
    echo "| $t | $m | $(bench_median ${cpu[$t]}) | $(bench_median ${rss[$t]}) | $(bench_ratio "$m" "$base") |"
  done
} | tee "$result"
