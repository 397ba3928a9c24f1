#!/usr/bin/env bash
# Rebuilds the integration tests' own Wasm modules from the sources next to this script into
# integration-tests/src/test/resources/wasm/. The built .wasm files are committed, so the tests
# need no compiler; run this after changing a source.
#
#   c/*.c  -> <name>.wasm   (clang + lld + wasi-libc, WASI reactor), with the ABI declarations of
#                           wasm-runtime/src/test/wasm/c/proxy_wasm_host.h
#
# The AssemblyScript and most C modules the tests also use come from the wasm-runtime test-jar
# (wasm-runtime/src/test/wasm/build.sh). Missing tools are installed with apt-get.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
out="$here/../resources/wasm"
abi="$here/../../../../wasm-runtime/src/test/wasm/c"
mkdir -p "$out"

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

cflags=(--target=wasm32-wasi -O2 -mexec-model=reactor -Wall -Werror -Wno-unused-function -I "$abi" -Wl,--strip-debug)
for f in "$here"/c/*.c; do
  name=$(basename "${f%.c}")
  clang "${cflags[@]}" -o "$out/$name.wasm" "$f"
  echo "  $name.wasm" >&2
done
echo "built $(ls "$here"/c/*.c | wc -l) modules into $out" >&2
