;; An ABI 0.1.0 module: two-argument headers callbacks, proxy_get_configuration,
;; proxy_continue_request/response, proxy_clear_route_cache, and 0.1.0's "missing header is OK
;; with an empty value".
(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_configuration" (func $get_configuration (param i32 i32) (result i32)))
  (import "env" "proxy_continue_request" (func $continue_request (result i32)))
  (import "env" "proxy_continue_response" (func $continue_response (result i32)))
  (import "env" "proxy_clear_route_cache" (func $clear_route_cache (result i32)))
  (import "env" "proxy_get_header_map_value" (func $get_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $add_value (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (data (i32.const 16) "x-missing")        ;; 9 bytes
  (data (i32.const 32) "x-abi")            ;; 5
  (data (i32.const 48) "0.1.0")            ;; 5
  (data (i32.const 64) "x-missing-status") ;; 16
  (data (i32.const 96) "x-missing-len")    ;; 13
  (data (i32.const 128) "0123456789")
  (data (i32.const 144) "x-continue")      ;; 10
  (data (i32.const 160) "x-clear-route")   ;; 13
  (data (i32.const 176) "x-response-abi")  ;; 14

  (func (export "proxy_abi_version_0_1_0"))

  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (global.get $heap) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (block $ok
      (loop $grow
        (br_if $ok (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (return (i32.const 0))))
        (br $grow)))
    (local.get $p))

  ;; Logs the configuration this callback sees (VM config in on_vm_start, plugin config in on_configure).
  (func $log_configuration
    (drop (call $get_configuration (i32.const 1024) (i32.const 1028)))
    (drop (call $log (i32.const 2) (i32.load (i32.const 1024)) (i32.load (i32.const 1028)))))

  (func (export "proxy_on_vm_start") (param $root i32) (param $size i32) (result i32)
    (call $log_configuration)
    (i32.const 1))

  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (call $log_configuration)
    (i32.const 1))

  ;; A one-digit header value at 128 + d.
  (func $add_digit (param $key i32) (param $klen i32) (param $d i32)
    (drop (call $add_value (i32.const 0) (local.get $key) (local.get $klen)
                (i32.add (i32.const 128) (local.get $d)) (i32.const 1))))

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (result i32)
    (local $status i32)
    (drop (call $add_value (i32.const 0) (i32.const 32) (i32.const 5) (i32.const 48) (i32.const 5)))
    ;; 0.1.0: a missing header is OK with an empty value
    (i32.store (i32.const 1032) (i32.const 77))
    (local.set $status (call $get_value (i32.const 0) (i32.const 16) (i32.const 9) (i32.const 1032) (i32.const 1036)))
    (call $add_digit (i32.const 64) (i32.const 16) (local.get $status))
    (call $add_digit (i32.const 96) (i32.const 13) (i32.load (i32.const 1036)))
    (call $add_digit (i32.const 144) (i32.const 10) (call $continue_request))
    (call $add_digit (i32.const 160) (i32.const 13) (call $clear_route_cache))
    (i32.const 0))

  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (result i32)
    (drop (call $add_value (i32.const 2) (i32.const 176) (i32.const 14) (i32.const 48) (i32.const 5)))
    (drop (call $continue_response))
    (i32.const 1))
)
