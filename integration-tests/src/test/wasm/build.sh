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

. "$abi/../toolchain.sh"
wasm_toolchain

cflags=("${WASM_CFLAGS[@]}" -O2)
for f in "$here"/c/*.c; do
  name=$(basename "${f%.c}")
  clang "${cflags[@]}" -o "$out/$name.wasm" "$f"
  echo "  $name.wasm" >&2
done
echo "built $(ls "$here"/c/*.c | wc -l) modules into $out" >&2
