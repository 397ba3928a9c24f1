;; Faults on demand. The number of request headers selects what on_request_headers does:
;;   1 unreachable trap      2 infinite loop         3 proc_exit(7)
;;   4 grow memory until memory.grow fails, log the pages it got, continue
;;   5 unbounded recursion   6 integer divide by zero 7 out-of-bounds load
;;   8 malformed pairs to set_header_map_pairs and send_local_response, log both statuses
;;   9 the allocator traps inside a hostcall (get_header_map_pairs)
;;  10 guest pointers out of range for proxy_log and a returned value
;;   anything else: continue
;; A plugin configuration of "loop" makes every tick spin forever.
(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_set_tick_period_milliseconds" (func $set_tick (param i32) (result i32)))
  (import "env" "proxy_set_header_map_pairs" (func $set_pairs (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_pairs" (func $get_pairs (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $get_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_send_local_response"
    (func $local (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (global $alloc_traps (mut i32) (i32.const 0))
  (global $tick_loops (mut i32) (i32.const 0))

  ;; Malformed pairs: claims 2 pairs but holds one, and the value lacks its NUL.
  (data (i32.const 16) "\02\00\00\00\01\00\00\00\01\00\00\00a\00b")
  (data (i32.const 64) "set_pairs=")    ;; 10
  (data (i32.const 80) "local=")        ;; 6
  (data (i32.const 96) "pages=")        ;; 6
  (data (i32.const 112) "log_oob=")     ;; 8
  (data (i32.const 128) "value_oob=")   ;; 10
  (data (i32.const 144) "h0")           ;; 2

  (func (export "proxy_abi_version_0_2_1"))

  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (if (global.get $alloc_traps) (then (unreachable)))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (global.get $heap) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (block $ok
      (loop $grow
        (br_if $ok (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (return (i32.const 0))))
        (br $grow)))
    (local.get $p))

  ;; Logs prefix followed by the decimal value of $v (up to 5 digits).
  (func $log_number (param $prefix i32) (param $len i32) (param $v i32)
    (local $i i32) (local $buf i32) (local $digits i32)
    (local.set $buf (i32.const 512))
    (memory.copy (local.get $buf) (local.get $prefix) (local.get $len))
    (local.set $digits (i32.const 5))
    (local.set $i (i32.const 4))
    (loop $d
      (i32.store8 (i32.add (i32.add (local.get $buf) (local.get $len)) (local.get $i))
                  (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $d (i32.ge_s (local.get $i) (i32.const 0))))
    (drop (call $log (i32.const 2) (local.get $buf) (i32.add (local.get $len) (local.get $digits)))))

  (func $recurse (param $n i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (if (i32.eq (local.get $size) (i32.const 4))
      (then (global.set $tick_loops (i32.const 1)) (drop (call $set_tick (i32.const 1)))))
    (i32.const 1))

  (func (export "proxy_on_tick") (param $root i32)
    (if (global.get $tick_loops) (then (loop $l (br $l)))))

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (local $pages i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (if (i32.eq (local.get $n) (i32.const 1)) (then (unreachable)))
      (if (i32.eq (local.get $n) (i32.const 2)) (then (loop $spin (br $spin))))
      (if (i32.eq (local.get $n) (i32.const 3)) (then (call $exit (i32.const 7)) (unreachable)))
      (if (i32.eq (local.get $n) (i32.const 4))
        (then
          (block $full
            (loop $grow
              (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
              (local.set $pages (i32.add (local.get $pages) (i32.const 1)))
              (br $grow)))
          (call $log_number (i32.const 96) (i32.const 6) (memory.size))
          (br $done)))
      (if (i32.eq (local.get $n) (i32.const 5)) (then (drop (call $recurse (i32.const 0)))))
      (if (i32.eq (local.get $n) (i32.const 6))
        (then (drop (i32.div_s (i32.const 1) (i32.sub (local.get $n) (i32.const 6))))))
      (if (i32.eq (local.get $n) (i32.const 7)) (then (drop (i32.load (i32.const -16)))))
      (if (i32.eq (local.get $n) (i32.const 8))
        (then
          (call $log_number (i32.const 64) (i32.const 10)
            (call $set_pairs (i32.const 0) (i32.const 16) (i32.const 19)))
          (call $log_number (i32.const 80) (i32.const 6)
            (call $local (i32.const 403) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                         (i32.const 16) (i32.const 19) (i32.const -1)))
          (br $done)))
      (if (i32.eq (local.get $n) (i32.const 9))
        (then
          (global.set $alloc_traps (i32.const 1))
          (drop (call $get_pairs (i32.const 0) (i32.const 256) (i32.const 260)))
          (global.set $alloc_traps (i32.const 0))
          (br $done)))
      (if (i32.eq (local.get $n) (i32.const 10))
        (then
          (call $log_number (i32.const 112) (i32.const 8)
            (call $log (i32.const 2) (i32.const -100) (i32.const 200)))
          (call $log_number (i32.const 128) (i32.const 10)
            (call $get_value (i32.const 0) (i32.const 144) (i32.const 2) (i32.const -4) (i32.const 260)))
          (br $done))))
    (i32.const 0))
)
