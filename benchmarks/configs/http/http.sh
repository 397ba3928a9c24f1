# Shared by the HTTP figures (01-http1-proxy.sh, 02-h2c-grpc.sh, 07-resource-cost.sh), sourced
# after lib/common.sh: fills the templates next to this file with ports, starts the upstreams and
# the proxies the way every figure needs them, and checks that a target really answers.
# shellcheck shell=bash

HTTP_CONFIGS="$BENCH_DIR/configs/http"
# The small body every upstream returns: 64 bytes, no newline.
HTTP_BODY=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

# http_render TEMPLATE OUT KEY=VALUE...: copies TEMPLATE to OUT replacing each @KEY@ with VALUE
# (@WORK@ and @BODY@ are always filled); stops if a placeholder is left.
http_render() {
  local template=$1 out=$2 kv expr=(-e "s|@WORK@|$BENCH_WORK|g" -e "s|@BODY@|$HTTP_BODY|g"); shift 2
  for kv in "$@"; do expr+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
  sed "${expr[@]}" "$HTTP_CONFIGS/$template" >"$out"
  ! grep -q '@[A-Z0-9_]*@' "$out" || bench_die "$out: placeholder left: $(grep -o '@[A-Z0-9_]*@' "$out" | head -n1)"
}

# http_wait NAME PID PORT [SECONDS]: waits until PORT listens; stops early, with the end of NAME's
# log, if PID died.
http_wait() {
  local name=$1 pid=$2 port=$3 limit=${4:-30} i
  for i in $(seq 1 $((limit * 10))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$BENCH_WORK/$name.log" >&2; bench_die "$name exited before listening on $port"; }
    sleep 0.1
  done
  tail -n 20 "$BENCH_WORK/$name.log" >&2
  bench_die "$name does not listen on 127.0.0.1:$port after ${limit}s"
}

# http_nginx NAME CPUS CONFIG: starts nginx in the foreground (master + one worker) on CONFIG.
http_nginx() {
  local name=$1 cpus=$2 conf=$3
  mkdir -p "$BENCH_WORK/$name-tmp"
  nginx -t -q -p "$BENCH_WORK" -e "$BENCH_WORK/$name.error.log" -c "$conf" >"$BENCH_WORK/$name.test.log" 2>&1 \
    || { cat "$BENCH_WORK/$name.test.log" >&2; bench_die "nginx rejects $conf"; }
  bench_start "$name" "$cpus" nginx -p "$BENCH_WORK" -e "$BENCH_WORK/$name.error.log" -c "$conf"
}

# http_start_upstream: the upstream nginx on the load cores (HTTP/1.1 on UP_PORT, h2c on UP_H2_PORT).
http_start_upstream() {
  UP_PORT=$(bench_free_port); UP_H2_PORT=$(bench_free_port)
  http_render upstream-nginx.conf "$BENCH_WORK/upstream-nginx.conf" UP_PORT="$UP_PORT" UP_H2_PORT="$UP_H2_PORT"
  http_nginx upstream-nginx "$BENCH_LOAD_CPUS" "$BENCH_WORK/upstream-nginx.conf"
  UP_PID=$BENCH_LAST_PID
  http_wait upstream-nginx "$UP_PID" "$UP_PORT"
  http_wait upstream-nginx "$UP_PID" "$UP_H2_PORT"
}

# http_start_nginx_proxy: nginx proxying HTTP/1.1 to UP_PORT, on the proxy core; sets NGINX_PORT, NGINX_PID.
http_start_nginx_proxy() {
  NGINX_PORT=$(bench_free_port)
  http_render nginx-proxy.conf "$BENCH_WORK/nginx-proxy.conf" PORT="$NGINX_PORT" UP_PORT="$UP_PORT"
  http_nginx nginx-proxy "$BENCH_PROXY_CPUS" "$BENCH_WORK/nginx-proxy.conf"
  NGINX_PID=$BENCH_LAST_PID
  http_wait nginx-proxy "$NGINX_PID" "$NGINX_PORT"
}

# http_start_haproxy_http1: HAProxy proxying HTTP/1.1 to UP_PORT; sets HAPROXY_PORT, HAPROXY_PID.
http_start_haproxy_http1() {
  HAPROXY_PORT=$(bench_free_port)
  http_render haproxy-http1.cfg "$BENCH_WORK/haproxy-http1.cfg" PORT="$HAPROXY_PORT" UP_PORT="$UP_PORT"
  haproxy -c -q -f "$BENCH_WORK/haproxy-http1.cfg" >"$BENCH_WORK/haproxy-http1.test.log" 2>&1 \
    || { cat "$BENCH_WORK/haproxy-http1.test.log" >&2; bench_die "haproxy rejects its configuration"; }
  bench_start haproxy-http1 "$BENCH_PROXY_CPUS" haproxy -db -f "$BENCH_WORK/haproxy-http1.cfg"
  HAPROXY_PID=$BENCH_LAST_PID
  http_wait haproxy-http1 "$HAPROXY_PID" "$HAPROXY_PORT"
}

# http_start_us_http1: our data plane proxying HTTP/1.1 to UP_PORT; sets US_PORT, US_ADMIN, US_PID.
http_start_us_http1() {
  US_PORT=$(bench_free_port); US_ADMIN=$(bench_free_port)
  http_render envoy-http1.yaml "$BENCH_WORK/envoy-http1.yaml" PORT="$US_PORT" UP_PORT="$UP_PORT" ADMIN_PORT="$US_ADMIN"
  bench_dataplane xdsdp-http1 "$BENCH_WORK/envoy-http1.yaml"
  US_PID=$BENCH_LAST_PID
  http_wait xdsdp-http1 "$US_PID" "$US_PORT" 120
  bench_wait_http "http://127.0.0.1:$US_ADMIN/ready" 30
}

# http_check_body URL [curl args...]: stops unless URL answers 200 with exactly $HTTP_BODY.
http_check_body() {
  local url=$1 out code body; shift
  out="$BENCH_WORK/check.body"
  code=$(curl -s -m 5 -o "$out" -w '%{http_code}' "$@" "$url" || true)
  body=$(cat "$out" 2>/dev/null || true)
  [ "$code" = 200 ] && [ "$body" = "$HTTP_BODY" ] \
    || bench_die "$url answered ${code:-nothing} with body '${body:0:80}' (expected 200 and the ${#HTTP_BODY}-byte body)"
}

# http_md_row CELLS...: one Markdown table row.
http_md_row() { local cell line="|"; for cell in "$@"; do line+=" $cell |"; done; echo "$line"; }

# http_command: the command line that ran this script, with the BENCH_* settings passed to it.
HTTP_COMMAND="$( (env | grep '^BENCH_' | sort | tr '\n' ' ') || true)benchmarks/$(basename "$0")${*:+ $*}"

# http_results_header TITLE: the head of a results file (title, command, date, machine).
http_results_header() {
  echo "## $1"
  echo
  echo "- command: \`$HTTP_COMMAND\`"
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(bench_machine)"
}
