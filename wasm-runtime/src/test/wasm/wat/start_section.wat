;; AssemblyScript-style: top-level code in the start section, which runs at instantiation, before
;; the host has the module's memory; then a hostcall from _initialize-less root callbacks works.
(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $start_status (mut i32) (i32.const -1))
  (data (i32.const 16) "from start")
  (data (i32.const 32) "start status ")
  (func $start (global.set $start_status (call $log (i32.const 2) (i32.const 16) (i32.const 10))))
  (start $start)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 4096))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
    (i32.store8 (i32.const 45) (i32.add (i32.const 48) (global.get $start_status)))
    (drop (call $log (i32.const 2) (i32.const 32) (i32.const 14)))
    (i32.const 1)))
