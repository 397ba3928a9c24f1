;; Imports its memory instead of exporting one.
(module
  (import "env" "memory" (memory 1))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 1024)))
