;; A command module: _start ends with proc_exit(0), as Go and TinyGo commands do.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $started (mut i32) (i32.const 0))
  (data (i32.const 16) "started")
  (func (export "_start") (global.set $started (i32.const 1)) (call $exit (i32.const 0)) (unreachable))
  (func (export "proxy_abi_version_0_2_0"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 4096))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
    (if (global.get $started) (then (drop (call $log (i32.const 2) (i32.const 16) (i32.const 7)))))
    (global.get $started)))
