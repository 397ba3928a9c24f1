;; _initialize traps: the plugin cannot be created.
(module
  (memory (export "memory") 1)
  (func (export "_initialize") (unreachable))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 4096)))
