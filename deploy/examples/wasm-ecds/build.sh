#!/usr/bin/env bash
# Rebuilds greeting.wasm from greeting.c (clang + lld + wasi-libc, WASI reactor) with the ABI
# declarations of wasm-runtime/src/test/wasm/c/proxy_wasm_host.h. The .wasm is committed, so the
# example needs no compiler; missing tools are installed with apt-get.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
abi="$here/../../../wasm-runtime/src/test/wasm/c"
need_apt=()
command -v clang >/dev/null || need_apt+=(clang)
command -v wasm-ld >/dev/null || need_apt+=(lld)
[ -d /usr/lib/wasm32-wasi ] || [ -d /usr/share/wasi-sysroot ] || need_apt+=(wasi-libc)
# clang links wasm32 builtins (64-bit arithmetic helpers) from compiler-rt.
ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 \
  || need_apt+=(libclang-rt-dev-wasm32)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need_apt[@]}"
fi
clang --target=wasm32-wasi -O2 -mexec-model=reactor -Wall -Werror -Wno-unused-function -I "$abi" \
  -Wl,--strip-debug -o "$here/greeting.wasm" "$here/greeting.c"
echo "built $here/greeting.wasm" >&2
