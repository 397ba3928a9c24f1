;; A 0.2.1 module importing 0.1.0's proxy_continue_request.
(module
  (import "env" "proxy_continue_request" (func (result i32)))
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 1024)))
