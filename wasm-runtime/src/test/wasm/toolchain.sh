# Sourced by every script that builds proxy-wasm modules from C (this folder's build.sh, the
# integration tests', the benchmarks', the deploy example's): installs what is missing with
# apt-get and defines the compiler flags they share.
#
#   wasm_toolchain [extra-command=package ...]   e.g. wasm_toolchain wat2wasm=wabt
#   "${WASM_CFLAGS[@]}"                           clang flags for a WASI reactor with the ABI header
WASM_ABI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/c" && pwd)
WASM_CFLAGS=(--target=wasm32-wasi -mexec-model=reactor -Wall -Werror -Wno-unused-function -I "$WASM_ABI_DIR"
  -Wl,--strip-debug)

wasm_toolchain() {
  local need=() pair
  for pair in clang=clang wasm-ld=lld "$@"; do
    command -v "${pair%%=*}" >/dev/null || need+=("${pair#*=}")
  done
  [ -d /usr/lib/wasm32-wasi ] || [ -d /usr/share/wasi-sysroot ] || need+=(wasi-libc)
  # clang links wasm32 builtins (64-bit arithmetic helpers) from compiler-rt.
  ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 \
    || need+=(libclang-rt-dev-wasm32)
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need[@]}"
  fi
}
