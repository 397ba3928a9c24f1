#!/usr/bin/env bash
# Rebuilds the benchmarks' Wasm modules from the sources next to this script (the built files are
# committed, so the benchmarks need no compiler):
#   bench_filter.c              -> bench_filter.wasm  (~10 KB; every Wasm figure)
#   bench_filter.c + gen_big.py -> bench_big.wasm     (several MB of generated code; cold start)
# clang, lld, wasi-libc and the wasm32 compiler-rt are installed with apt-get when missing
# (wasm-runtime/src/test/wasm/toolchain.sh).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
abi="$here/../../wasm-runtime/src/test/wasm/c"

. "$abi/../toolchain.sh"
wasm_toolchain

cflags=("${WASM_CFLAGS[@]}")
clang "${cflags[@]}" -O2 -o "$here/bench_filter.wasm" "$here/bench_filter.c"
echo "  bench_filter.wasm ($(stat -c %s "$here/bench_filter.wasm") bytes)" >&2

gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
python3 "$here/gen_big.py" 16000 >"$gen/big.c"
clang "${cflags[@]}" -O1 -DBENCH_BIG -o "$here/bench_big.wasm" "$here/bench_filter.c" "$gen/big.c"
echo "  bench_big.wasm ($(stat -c %s "$here/bench_big.wasm") bytes)" >&2
