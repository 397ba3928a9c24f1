#!/usr/bin/env bash
# Rebuilds every test module from the sources next to this script into
# wasm-runtime/src/test/resources/wasm/. The built .wasm files are committed, so tests need no
# compiler; run this after changing a source.
#
#   wat/*.wat  -> <name>.wasm           (wabt's wat2wasm)
#   c/*.c      -> <name>.wasm           (clang + lld + wasi-libc, WASI reactor); abi_suite.c is
#                                        also built as abi_suite_020.wasm with the 0.2.0 marker
#   as/solo    -> as_solo.wasm          (AssemblyScript 0.14 + @solo-io/proxy-runtime 0.1.8)
#   as/gcore   -> as_gcore.wasm         (AssemblyScript 0.28 + @gcoredev/proxy-wasm-sdk-as 1.2.3)
#
# Missing tools are installed: Debian packages clang, lld, wasi-libc, wabt (apt-get) and the npm
# packages pinned in each as/*/package.json (npm, into as/*/node_modules, which git ignores).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
out="$here/../resources/wasm"
mkdir -p "$out"

. "$here/toolchain.sh"
wasm_toolchain wat2wasm=wabt
command -v npm >/dev/null || { echo "error: npm is needed for the AssemblyScript modules" >&2; exit 1; }

echo "== WAT" >&2
for f in "$here"/wat/*.wat; do
  name=$(basename "${f%.wat}")
  wat2wasm "$f" -o "$out/$name.wasm"
  echo "  $name.wasm" >&2
done

echo "== C" >&2
cflags=("${WASM_CFLAGS[@]}" -O2)
for f in "$here"/c/*.c; do
  name=$(basename "${f%.c}")
  clang "${cflags[@]}" -o "$out/$name.wasm" "$f"
  echo "  $name.wasm" >&2
done
clang "${cflags[@]}" -DABI_0_2_0 -o "$out/abi_suite_020.wasm" "$here/c/abi_suite.c"
echo "  abi_suite_020.wasm" >&2
clang "${cflags[@]}" -DNO_QUEUE_READY -o "$out/shared_queue_noready.wasm" "$here/c/shared_queue.c"
echo "  shared_queue_noready.wasm" >&2

echo "== AssemblyScript" >&2
( cd "$here/as/solo"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  npx asc assembly/index.ts -b "$out/as_solo.wasm" --use abort=abort_proc_exit --optimize )
echo "  as_solo.wasm" >&2
( cd "$here/as/gcore"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  npx asc assembly/index.ts -o "$out/as_gcore.wasm" --config asconfig.json )
echo "  as_gcore.wasm" >&2

echo "built $(ls "$out"/*.wasm | wc -l) modules into $out" >&2
