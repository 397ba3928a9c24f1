;; A marker from a future ABI.
(module
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_3_0"))
  (func (export "malloc") (param i32) (result i32) (i32.const 1024)))
