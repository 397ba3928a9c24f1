;; What the Go (wasip1) and TinyGo runtimes do with WASI while they start, checked in
;; _initialize: any unexpected answer traps, so the plugin fails to load. Also writes a line
;; through the old wasi_unstable name.
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write1 (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) "hello from wasi_unstable\n")   ;; 25
  (data (i32.const 48) "to stderr\n")                 ;; 10

  (func $expect (param $got i32) (param $want i32)
    (if (i32.ne (local.get $got) (local.get $want)) (then (unreachable))))

  (func (export "_initialize")
    ;; Go scans preopens from fd 3 until BADF.
    (call $expect (call $prestat_get (i32.const 3) (i32.const 256)) (i32.const 8))
    (call $expect (call $prestat_dir_name (i32.const 3) (i32.const 256) (i32.const 8)) (i32.const 52))
    ;; poll_oneoff must succeed with no events, or Go aborts.
    (i32.store (i32.const 300) (i32.const 99))
    (call $expect (call $poll (i32.const 1024) (i32.const 2048) (i32.const 1) (i32.const 300)) (i32.const 0))
    (call $expect (i32.load (i32.const 300)) (i32.const 0))
    ;; stdout is a character device that may be written.
    (call $expect (call $fdstat (i32.const 1) (i32.const 320)) (i32.const 0))
    (call $expect (i32.load8_u (i32.const 320)) (i32.const 2))
    (call $expect (i32.wrap_i64 (i64.load (i32.const 328))) (i32.const 64))
    (call $expect (call $fdstat (i32.const 5) (i32.const 320)) (i32.const 8))
    (call $expect (call $fdstat_set_flags (i32.const 1) (i32.const 0)) (i32.const 52))
    ;; The environment is exactly the VM's: one variable, PROBE=1 (8 bytes with NUL).
    (call $expect (call $environ_sizes (i32.const 400) (i32.const 404)) (i32.const 0))
    (call $expect (i32.load (i32.const 400)) (i32.const 1))
    (call $expect (i32.load (i32.const 404)) (i32.const 8))
    (call $expect (call $environ_get (i32.const 408) (i32.const 416)) (i32.const 0))
    (call $expect (i32.load (i32.const 408)) (i32.const 416))
    (call $expect (i32.load (i32.const 416)) (i32.const 0x424f5250)) ;; "PROB"
    (call $expect (call $args_sizes (i32.const 400) (i32.const 404)) (i32.const 0))
    (call $expect (i32.load (i32.const 400)) (i32.const 0))
    (call $expect (call $args_get (i32.const 400) (i32.const 404)) (i32.const 0))
    (call $expect (call $yield) (i32.const 0))
    (call $expect (call $clock (i32.const 0) (i64.const 1) (i32.const 440)) (i32.const 0))
    (if (i64.lt_u (i64.load (i32.const 440)) (i64.const 1577836800000000000)) (then (unreachable)))
    (call $expect (call $clock (i32.const 1) (i64.const 1) (i32.const 440)) (i32.const 0))
    (call $expect (call $clock (i32.const 2) (i64.const 1) (i32.const 440)) (i32.const 58))
    (call $expect (call $clock_res (i32.const 1) (i32.const 440)) (i32.const 0))
    (call $expect (i32.wrap_i64 (i64.load (i32.const 440))) (i32.const 1))
    (call $expect (call $random (i32.const 2048) (i32.const 32)) (i32.const 0))
    (call $expect (call $random (i32.const 2048) (i32.const 65537)) (i32.const 28))
    (call $expect (call $random (i32.const 131070) (i32.const 16)) (i32.const 21))
    (call $expect (call $read (i32.const 0) (i32.const 2048) (i32.const 1) (i32.const 400)) (i32.const 52))
    (call $expect (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 4) (i32.const 0)
                        (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 400)) (i32.const 44))
    (call $expect (call $sock_accept (i32.const 3) (i32.const 0) (i32.const 400)) (i32.const 58))
    (call $expect (call $close (i32.const 9)) (i32.const 8))
    ;; One line to the log through the old module name, one to stderr, one to a bad fd.
    (i32.store (i32.const 500) (i32.const 16))
    (i32.store (i32.const 504) (i32.const 25))
    (call $expect (call $write (i32.const 1) (i32.const 500) (i32.const 1) (i32.const 508)) (i32.const 0))
    (call $expect (i32.load (i32.const 508)) (i32.const 25))
    (i32.store (i32.const 500) (i32.const 48))
    (i32.store (i32.const 504) (i32.const 10))
    (call $expect (call $write1 (i32.const 2) (i32.const 500) (i32.const 1) (i32.const 508)) (i32.const 0))
    (call $expect (call $write1 (i32.const 7) (i32.const 500) (i32.const 1) (i32.const 508)) (i32.const 8))
    ;; An iovec pointing outside memory is FAULT.
    (i32.store (i32.const 500) (i32.const 200000))
    (call $expect (call $write1 (i32.const 1) (i32.const 500) (i32.const 1) (i32.const 508)) (i32.const 21)))

  (func (export "proxy_abi_version_0_2_0"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 8192)))
