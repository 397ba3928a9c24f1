;; proxy_log declared with two parameters, and an import no host provides.
(module
  (import "env" "proxy_log" (func (param i32 i32) (result i32)))
  (import "env" "proxy_frobnicate" (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 1024)))
