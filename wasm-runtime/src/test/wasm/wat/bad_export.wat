;; A 0.2.1 module exporting the 0.1.0 form of proxy_on_request_headers, and no allocator.
(module
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_request_headers") (param i32 i32) (result i32) (i32.const 0)))
