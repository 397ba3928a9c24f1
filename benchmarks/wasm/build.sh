#!/usr/bin/env bash
# Rebuilds the benchmarks' Wasm modules from the sources next to this script (the built files are
# committed, so the benchmarks need no compiler):
#   bench_filter.c              -> bench_filter.wasm  (~10 KB; every Wasm figure)
#   bench_filter.c + gen_big.py -> bench_big.wasm     (several MB of generated code; cold start)
# clang, lld, wasi-libc and the wasm32 compiler-rt are installed with apt-get when missing.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
abi="$here/../../wasm-runtime/src/test/wasm/c"

need_apt=()
command -v clang >/dev/null || need_apt+=(clang)
command -v wasm-ld >/dev/null || need_apt+=(lld)
[ -d /usr/lib/wasm32-wasi ] || [ -d /usr/share/wasi-sysroot ] || need_apt+=(wasi-libc)
# clang links wasm32 builtins (64-bit arithmetic helpers) from compiler-rt.
ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 \
  || need_apt+=(libclang-rt-dev-wasm32)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]}" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need_apt[@]}"
fi

cflags=(--target=wasm32-wasi -mexec-model=reactor -Wall -Werror -Wno-unused-function -I "$abi" -Wl,--strip-debug)
clang "${cflags[@]}" -O2 -o "$here/bench_filter.wasm" "$here/bench_filter.c"
echo "  bench_filter.wasm ($(stat -c %s "$here/bench_filter.wasm") bytes)" >&2

gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
python3 "$here/gen_big.py" 16000 >"$gen/big.c"
clang "${cflags[@]}" -O1 -DBENCH_BIG -o "$here/bench_big.wasm" "$here/bench_filter.c" "$gen/big.c"
echo "  bench_big.wasm ($(stat -c %s "$here/bench_big.wasm") bytes)" >&2
