# Sourced by 03-wasm-overhead.sh and profile.sh after lib/common.sh: starts figure 3's setup.
# shellcheck shell=bash

# wasm_setup_start BODY_BYTES: starts the nginx upstream (a BODY_BYTES body) and our data plane
# with the four listeners of configs/wasm/envoy.yaml.in, and waits until both answer. Sets
# upstream_port, admin_port, port[nofilter|noop|headers|body] and dataplane_pid.
wasm_setup_start() {
  local body_bytes=$1 v body
  upstream_port=$(bench_free_port)
  admin_port=$(bench_free_port)
  declare -gA port
  for v in nofilter noop headers body; do port[$v]=$(bench_free_port); done
  body=$(head -c "$body_bytes" /dev/zero | tr '\0' 'x')
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
  dataplane_pid=$BENCH_LAST_PID
  bench_wait_http "http://127.0.0.1:$admin_port/ready" 120
}
