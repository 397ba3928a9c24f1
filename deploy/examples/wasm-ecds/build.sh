#!/usr/bin/env bash
# Rebuilds greeting.wasm from greeting.c (clang + lld + wasi-libc, WASI reactor) with the ABI
# declarations of wasm-runtime/src/test/wasm/c/proxy_wasm_host.h. The .wasm is committed, so the
# example needs no compiler; missing tools are installed with apt-get.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
abi="$here/../../../wasm-runtime/src/test/wasm/c"
. "$abi/../toolchain.sh"
wasm_toolchain
clang "${WASM_CFLAGS[@]}" -O2 -o "$here/greeting.wasm" "$here/greeting.c"
echo "built $here/greeting.wasm" >&2
