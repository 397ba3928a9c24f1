#!/usr/bin/env bash
# Figure 5: Wasm cold start, per engine, in-process (a fresh JVM or Node process per measurement).
#
# What it measures, for benchmarks/wasm/bench_filter.wasm (12 KB) and bench_big.wasm (3 MB, the
# same filter plus generated code), mode `headers`:
#  (a) time from the module's bytes in memory to its first request served: engine creation
#      (GraalWasm's runtime and polyglot engine; nothing for Chicory and V8), then parse, validate,
#      compile, instantiate, proxy_on_vm_start and proxy_on_configure ("load"), then the first
#      request cycle; also "process": from the exec of the JVM/Node process to that first response
#      (JVM boot and class loading included).
#  (b) warm-up: after the first request, requests run in batches of 100 for a while; steady state
#      = median ns/request of the last fifth of the batches; warm = end of the first batch whose
#      rolling median (9 batches) is within 10% of it. For GraalWasm that is the JIT warm-up
#      (Truffle compiling the module with the Graal compiler, itself still being JIT-compiled).
#      Done on bench_filter.wasm only (the hot path of bench_big.wasm is the same code).
#  (c) end to end through the data plane (GraalWasm only; skip with BENCH_ECDS=0): our proxy runs
#      the filter from ECDS in a watched file (path_config_source, as deploy/examples/wasm-ecds/);
#      the file is replaced by a new version (a new vm_id, so the module is compiled anew, in mode
#      `headers`), and curl polls the listener until a response carries the new module's
#      x-bench-response header. Time from the file's rename to that response, for both modules, one
#      fresh proxy per repetition. The data plane watches the file's directory and reads a file
#      moved into place at once; curl's polling adds a few ms.
# Engines: graalwasm (our host, wasm-runtime/, JIT on as in deploy/bin/dataplane), chicory
#   (proxy-wasm-java-host 0.0.5, Chicory 1.5.1 runtime compiler), v8 (Node, benchmarks/engines/v8/host.mjs).
#   Each process is pinned to $BENCH_PROXY_CPUS; repetitions alternate the engines. Ratios are to V8.
#
# Knobs: BENCH_ROUNDS repetitions (3), BENCH_WARM_SECONDS length of the (b) series for graalwasm
#   (30), BENCH_WARM_SECONDS_PEERS for chicory and v8 (10), BENCH_ENGINES (graalwasm chicory v8),
#   BENCH_ECDS (1: run part c), BENCH_PROXY_CPUS (0), BENCH_LOAD_CPUS (1: curl), BENCH_MAX_SECONDS (900).
# Default run time: about 90 s per repetition, ~4.5 minutes (plus the data plane's build on first use).
set -euo pipefail
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_MAX_SECONDS=${BENCH_MAX_SECONDS:-900}
source "$(dirname "$0")/lib/common.sh"
bench_arm_deadline

WARM=${BENCH_WARM_SECONDS:-30}
WARM_PEERS=${BENCH_WARM_SECONDS_PEERS:-10}
ENGINES=${BENCH_ENGINES:-graalwasm chicory v8}
MODULES=(bench_filter.wasm bench_big.wasm)
HOST_MJS="$BENCH_DIR/engines/v8/host.mjs"
RESULTS="$BENCH_DIR/results/$BENCH_NAME.md"
COMMAND="$0 $*"
for v in BENCH_ROUNDS BENCH_WARM_SECONDS BENCH_WARM_SECONDS_PEERS BENCH_ENGINES BENCH_ECDS BENCH_PROXY_CPUS; do
  [ -n "${!v:-}" ] && COMMAND="$v=${!v} $COMMAND"
done

ECDS=${BENCH_ECDS:-1}
bench_require node jq taskset curl
bench_build_tools
[ "$ECDS" = 1 ] && bench_build_dataplane
for e in $ENGINES; do
  case "$e" in graalwasm | chicory | chicory-interp | v8) ;; *) bench_die "unknown engine $e" ;; esac
done

declare -A S=()   # "engine module field" -> space-separated values, one per repetition
add() { S["$1 $2 $3"]="${S["$1 $2 $3"]:-} $4"; }
now_us() { date +%s%6N; }

# measure ENGINE MODULE REP: one fresh process; prints one line and records its fields.
measure() {
  local engine=$1 module=$2 rep=$3 warm name log start json
  warm=$WARM_PEERS
  [ "$engine" = graalwasm ] && warm=$WARM
  [ "$module" = bench_filter.wasm ] || warm=0
  name="$engine-${module%.wasm}-$rep"
  log="$BENCH_WORK/$name.log"
  start=$(now_us)
  if [ "$engine" = v8 ]; then
    bench_start "$name" "$BENCH_PROXY_CPUS" timeout $((warm + 120)) \
      node "$HOST_MJS" coldstart --wasm "$BENCH_DIR/wasm/$module" --mode headers --warm-seconds "$warm"
  else
    bench_start "$name" "$BENCH_PROXY_CPUS" timeout $((warm + 120)) \
      "${BENCH_JAVA[@]}" dev.xdsdp.bench.coldstart.ColdStartMain --engine "$engine" \
      --wasm "$BENCH_DIR/wasm/$module" --mode headers --warm-seconds "$warm"
  fi
  wait "$BENCH_LAST_PID" || { tail -n 30 "$log" >&2; bench_die "$name failed (see $log)"; }
  json=$(sed -n 's/^COLDSTART //p' "$log" | tail -n 1)
  [ -n "$json" ] || { tail -n 30 "$log" >&2; bench_die "$name printed no result (see $log)"; }
  local f v
  for f in init_ms load_ms first_request_ms cold_ms steady_ns warm_ms warm_requests still_improving; do
    v=$(jq -r "if .$f == null then \"nan\" else .$f end" <<<"$json")
    [ "$v" = null ] && v=nan
    add "$engine" "$module" "$f" "$v"
  done
  local process_ms
  process_ms=$(jq -r --argjson s "$start" '(.first_response_epoch_us - $s) / 1000' <<<"$json")
  add "$engine" "$module" process_ms "$process_ms"
  jq -r --arg rep "$rep" --arg p "$process_ms" '"rep \($rep)  \(.engine) \(.module): init \(.init_ms) ms, load \(.load_ms) ms, first request \(.first_request_ms) ms, cold \(.cold_ms) ms (process start -> first response \($p | tonumber | floor) ms)"
      + (if .batches > 0 then "; warm after \(.warm_ms) ms / \(.warm_requests) requests, steady \(.steady_ns) ns/request\(if .still_improving then " (STILL IMPROVING at the end: a longer BENCH_WARM_SECONDS is needed)" else "" end), first batches \(.first_batches_ns[0:4]) ns" else "" end)' <<<"$json"
}

for rep in $(seq 1 "$BENCH_ROUNDS"); do
  for module in "${MODULES[@]}"; do
    for engine in $ENGINES; do
      measure "$engine" "$module" "$rep"
    done
  done
done

# (c) ECDS from a watched file, end to end through the data plane.
ecds_resource() {  # VERSION MODULE MODE -> the DiscoveryResponse the watched file holds
  cat <<YAML
version_info: "$1"
resources:
- "@type": type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig
  name: bench
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
    config:
      name: bench
      vm_config:
        vm_id: "bench-v$1"
        runtime: envoy.wasm.runtime.v8
        code: { local: { filename: "$BENCH_DIR/wasm/$2" } }
      configuration:
        "@type": type.googleapis.com/google.protobuf.StringValue
        value: "$3"
YAML
}

# ecds_push FILE VERSION MODULE MODE: replaces the watched file at once (write aside, rename).
ecds_push() {
  ecds_resource "$2" "$3" "$4" >"$1.new"
  mv -f "$1.new" "$1"
}

# ecds_wait PORT WANT SECONDS: polls until the response has (WANT=1) or lacks (0) x-bench-response.
ecds_wait() {
  local port=$1 want=$2 limit=$3 i has end
  end=$(( $(date +%s) + limit ))
  for i in $(seq 1 100000); do
    has=0
    taskset -c "$BENCH_LOAD_CPUS" curl -s -m 2 -o /dev/null -D - "http://127.0.0.1:$port/" 2>/dev/null \
      | grep -qi '^x-bench-response:' && has=1
    [ "$has" = "$want" ] && return 0
    [ "$(date +%s)" -lt "$end" ] || return 1
  done
  return 1
}

ecds_round() {
  local rep=$1 port admin dir cfg file name t0 t1 ms version=0 module
  port=$(bench_free_port); admin=$(bench_free_port)
  dir="$BENCH_WORK/ecds-$rep"; mkdir -p "$dir"
  cfg="$dir/envoy.yaml"; file="$dir/bench-filter.yaml"
  ecds_resource "$version" bench_filter.wasm noop >"$file"
  cat >"$cfg" <<YAML
admin:
  address: { socket_address: { address: 127.0.0.1, port_value: $admin } }
static_resources:
  listeners:
  - name: ingress
    address: { socket_address: { address: 127.0.0.1, port_value: $port } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_http
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: / }
                direct_response: { status: 200, body: { inline_string: "ok\n" } }
          http_filters:
          - name: bench
            config_discovery:
              config_source: { path_config_source: { path: "$file" } }
              type_urls: [type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm]
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
YAML
  name="ecds-dataplane-$rep"
  bench_dataplane "$name" "$cfg"
  local pid=$BENCH_LAST_PID
  bench_wait_http "http://127.0.0.1:$port/" 120
  for module in "${MODULES[@]}"; do
    version=$((version + 1))
    t0=$(now_us)
    ecds_push "$file" "$version" "$module" headers
    ecds_wait "$port" 1 60 || bench_die "the data plane did not serve $module from ECDS within 60 s (see $BENCH_WORK/$name.log)"
    t1=$(now_us)
    ms=$(( (t1 - t0) / 1000 ))
    add ecds "$module" ms "$ms"
    echo "rep $rep  ecds (data plane, graalwasm) $module: file replaced -> first response by the new module $ms ms"
    # Back to a module without the header (not timed), so the next push is seen the same way.
    version=$((version + 1))
    ecds_push "$file" "$version" bench_filter.wasm noop
    ecds_wait "$port" 0 60 || bench_die "the data plane did not go back to the noop filter within 60 s"
  done
  curl -s -m 2 "http://127.0.0.1:$admin/stats" | grep -E 'extension_config_discovery.http_filter.bench.config_(reload|fail)' \
    | sed 's/^/    /' >&2 || true
  bench_stop "$pid"
}

if [ "$ECDS" = 1 ]; then
  for rep in $(seq 1 "$BENCH_ROUNDS"); do
    ecds_round "$rep"
  done
fi

# Summary: medians over the repetitions (values "nan" are dropped; all nan -> n/a).
med() {
  local vals=() v
  for v in ${S["$1 $2 $3"]:-}; do [ "$v" = nan ] || vals+=("$v"); done
  [ ${#vals[@]} -gt 0 ] && bench_median "${vals[@]}" || echo nan
}
fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN { if (v == "nan") print "n/a"; else printf "%.*f", d, v }'; }
ratio() { if [ "$1" = nan ] || [ "$2" = nan ]; then echo n/a; else bench_ratio "$1" "$2"; fi; }
has_v8=0
for e in $ENGINES; do [ "$e" = v8 ] && has_v8=1; done

{
  echo "## Figure 5: Wasm cold start (median of $BENCH_ROUNDS fresh processes per cell)"
  echo
  echo "(a) From the module's bytes in memory to the first request served, in ms. \"load\" = parse,"
  echo "validate, compile, instantiate, proxy_on_vm_start, proxy_on_configure; \"engine\" = making the"
  echo "engine (GraalWasm's runtime and polyglot engine; Chicory and V8 have nothing to make);"
  echo "\"process\" = from exec of the JVM/Node process to that first response. Pinned to CPU $BENCH_PROXY_CPUS."
  echo
  echo "| module | engine | engine ms | load ms | first request ms | bytes -> first response ms | / V8 | process start -> first response ms | / V8 |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for module in "${MODULES[@]}"; do
    for engine in $ENGINES; do
      cold=$(med "$engine" "$module" cold_ms); proc=$(med "$engine" "$module" process_ms)
      r1=n/a; r2=n/a
      if [ "$has_v8" = 1 ]; then
        r1=$(ratio "$cold" "$(med v8 "$module" cold_ms)"); r2=$(ratio "$proc" "$(med v8 "$module" process_ms)")
      fi
      echo "| $module | $engine | $(fmt "$(med "$engine" "$module" init_ms)") | $(fmt "$(med "$engine" "$module" load_ms)") | $(fmt "$(med "$engine" "$module" first_request_ms)" 2) | $(fmt "$cold") | $r1 | $(fmt "$proc" 0) | $r2 |"
    done
  done
  echo
  echo "(b) Warm-up after the first request (bench_filter.wasm, mode headers, batches of 100 requests,"
  echo "series of ${WARM} s for graalwasm and ${WARM_PEERS} s for the others): when a 9-batch rolling median"
  echo "first gets within 10% of the steady state (median of the last fifth of the series)."
  echo
  echo "| engine | steady ns/request | warm after ms | warm after requests | series still improving at its end |"
  echo "|---|---:|---:|---:|---|"
  for engine in $ENGINES; do
    imp=$(tr ' ' '\n' <<<"${S["$engine bench_filter.wasm still_improving"]:-}" | grep -c true || true)
    echo "| $engine | $(fmt "$(med "$engine" bench_filter.wasm steady_ns)") | $(fmt "$(med "$engine" bench_filter.wasm warm_ms)" 0) | $(fmt "$(med "$engine" bench_filter.wasm warm_requests)" 0) | $imp of $BENCH_ROUNDS |"
  done
  echo
  echo "The steady state is the end of each series (if the series was still improving there, the warm-up"
  echo "time is a lower bound); figure 4 (04-wasm-engines.sh) measures the steady state after a longer"
  echo "warm-up. All samples (one per repetition):"
  echo
  for module in "${MODULES[@]}"; do
    for engine in $ENGINES; do
      echo "- $engine $module: cold_ms${S["$engine $module cold_ms"]:-}; process_ms${S["$engine $module process_ms"]:-}$(
        [ "$module" = bench_filter.wasm ] && echo "; warm_ms${S["$engine $module warm_ms"]:-}; steady_ns${S["$engine $module steady_ns"]:-}")"
    done
  done
  echo
  if [ "$ECDS" = 1 ]; then
    echo "(c) End to end through the data plane (GraalWasm, one fresh proxy per repetition): ECDS file"
    echo "replaced by a new version of the filter (new vm_id, mode headers) -> first response carrying"
    echo "its header, in ms (curl's polling adds a few ms). The proxy keeps serving the old version"
    echo "meanwhile."
    echo
    echo "| module | file replaced -> first response by the new module, ms | samples |"
    echo "|---|---:|---|"
    for module in "${MODULES[@]}"; do
      echo "| $module | $(fmt "$(med ecds "$module" ms)" 0) |${S["ecds $module ms"]:-} |"
    done
    echo
  fi
  echo "Engines: $(grep -h -m1 -o '^# GraalWasm via[^;]*' "$BENCH_WORK"/graalwasm-*.log 2>/dev/null | head -n1 | sed 's/^# //');"
  echo "$(grep -h -m1 -o '^# proxy-wasm-java-host[^;]*' "$BENCH_WORK"/chicory-*.log 2>/dev/null | head -n1 | sed 's/^# //');"
  echo "$(grep -h -m1 -o '^# V8 [^;]*' "$BENCH_WORK"/v8-*.log 2>/dev/null | head -n1 | sed 's/^# //')."
  echo
  echo "Command: \`$COMMAND\`  "
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC')  "
  echo "Machine: $(bench_machine)"
} >"$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
echo
cat "$RESULTS"
