;; For the engine seam (WasmVm) tests, independent of proxy-wasm: host calls of each shape,
;; memory growth, traps and a loop that never ends.
(module
  (import "test" "add" (func $add (param i32 i32) (result i32)))
  (import "test" "wide" (func $wide (param i64) (result i64)))
  (import "test" "sink" (func $sink (param i32)))
  (import "test" "fail" (func $fail))
  (memory (export "memory") 1 8)
  (data (i32.const 8) "seam")
  (func (export "call_add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
  (func (export "call_wide") (result i64) (call $wide (i64.const -9000000000)))
  (func (export "call_sink") (param i32) (call $sink (local.get 0)))
  (func (export "call_fail") (call $fail))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "spin") (loop $l (br $l)))
  (func (export "trap") (unreachable))
  (func (export "negative") (result i32) (i32.const -5))
)
