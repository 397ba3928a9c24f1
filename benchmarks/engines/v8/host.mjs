#!/usr/bin/env node
// A small proxy-wasm host on V8 (Node's WebAssembly), the V8 side of the engine figures:
// figure 4 (ns per request cycle, ns per host call) and figure 5 (cold start, warm-up).
//
// It implements what benchmarks/wasm/bench_filter.wasm imports, for real: the plugin
// configuration buffer, header maps (an array of [name, value] per map, new for every request),
// metrics; proxy_log and a few WASI functions are there for modules that log; every other import
// is a stub answering UNIMPLEMENTED (proxy_*) or ENOSYS (WASI). A request cycle is the same as in
// the Java drivers (dev.xdsdp.bench.engines.EngineDriver): proxy_on_context_create,
// proxy_on_request_headers (8 headers, end of stream), proxy_on_response_headers (5 headers),
// proxy_on_done, proxy_on_log, proxy_on_delete.
//
//   node host.mjs bench --wasm F [--modes noop,headers,getheader=0,getheader=100] [--prewarm-max 60]
//                      [--warmup 4] [--iterations 3]
//       prints "RESULT engine=v8 mode=M ns=X error=Y" per mode: a new VM per mode, an adaptive warm-up
//       (until stable, as dev.xdsdp.bench.engines.Prewarm), then warm-up and measured 1-second
//       iterations as JMH does
//   node host.mjs coldstart --wasm F [--mode headers] [--warm-seconds 10] [--batch 100]
//       prints "COLDSTART {json}" with the same fields as dev.xdsdp.bench.coldstart.ColdStartMain
//
// Plain ESM on Node 20's built-ins; no packages.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { webcrypto } from 'node:crypto';

const REQUEST_HEADERS = [
  [':method', 'GET'],
  [':path', '/api/v1/items?id=42&sort=asc'],
  [':authority', 'bench.example.com'],
  [':scheme', 'http'],
  ['user-agent', 'wrk/4.2.0 (benchmark)'],
  ['accept', '*/*'],
  ['x-request-id', '0b8a4a5e-6b2f-4d6e-9f3c-3f4d2c1b0a99'],
  ['x-forwarded-proto', 'http'],
];
const RESPONSE_HEADERS = [
  [':status', '200'],
  ['content-type', 'text/plain; charset=utf-8'],
  ['content-length', '13'],
  ['date', 'Mon, 07 Dec 2026 15:00:00 GMT'],
  ['server', 'bench-upstream'],
];

// proxy-wasm ABI values.
const OK = 0, NOT_FOUND = 1, BAD_ARGUMENT = 2, UNIMPLEMENTED = 12;
const BUF_VM_CONFIGURATION = 6, BUF_PLUGIN_CONFIGURATION = 7;
const MAP_REQUEST_HEADERS = 0, MAP_RESPONSE_HEADERS = 2;
// WASI errno values.
const WASI_ESUCCESS = 0, WASI_EBADF = 8, WASI_ENOSYS = 52;

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

class ProcExit extends Error {
  constructor(code) { super(`proc_exit(${code})`); this.code = code; }
}

/** One VM: a module instance with its root context (id 1) and the streams it serves. */
export class ProxyWasmHost {
  constructor(pluginConfig, vmConfig = '') {
    this.pluginConfig = utf8Encoder.encode(pluginConfig);
    this.vmConfig = utf8Encoder.encode(vmConfig);
    this.reqMap = null;   // the current stream's maps
    this.respMap = null;
    this.nextId = 2;
    this.current = 0;
    this.metrics = [];
    this.headerGets = 0;   // proxy_get_header_map_value calls served (the verification reads it)
    this.buf = null;
    this.u8 = null;
    this.dv = null;
  }

  /** Compile + validate, instantiate, then _initialize, proxy_on_vm_start, proxy_on_configure. */
  load(bytes) {
    const module = new WebAssembly.Module(bytes);
    const instance = new WebAssembly.Instance(module, this.imports(module));
    const ex = instance.exports;
    this.ex = ex;
    this.memory = ex.memory;
    if (!(this.memory instanceof WebAssembly.Memory)) throw new Error('the module exports no memory');
    if (typeof ex.proxy_abi_version_0_2_1 !== 'function' && typeof ex.proxy_abi_version_0_2_0 !== 'function') {
      throw new Error('not a proxy-wasm 0.2.x module');
    }
    if (typeof ex._initialize === 'function') ex._initialize();
    else if (typeof ex._start === 'function') ex._start();
    this.current = 1;
    ex.proxy_on_context_create(1, 0);
    if (typeof ex.proxy_on_vm_start === 'function' && !ex.proxy_on_vm_start(1, this.vmConfig.length)) {
      throw new Error('proxy_on_vm_start failed');
    }
    if (typeof ex.proxy_on_configure === 'function' && !ex.proxy_on_configure(1, this.pluginConfig.length)) {
      throw new Error('proxy_on_configure failed');
    }
  }

  /** One request cycle on a new stream context; returns a value depending on the work. */
  request() {
    const ex = this.ex;
    const req = [];
    for (let i = 0; i < REQUEST_HEADERS.length; i++) req.push([REQUEST_HEADERS[i][0], REQUEST_HEADERS[i][1]]);
    const resp = [];
    for (let i = 0; i < RESPONSE_HEADERS.length; i++) resp.push([RESPONSE_HEADERS[i][0], RESPONSE_HEADERS[i][1]]);
    this.reqMap = req;
    this.respMap = resp;
    const id = this.nextId++;
    this.current = id;
    ex.proxy_on_context_create(id, 1);
    const a = ex.proxy_on_request_headers(id, req.length, 1);
    const b = ex.proxy_on_response_headers(id, resp.length, 0);
    ex.proxy_on_done(id);
    ex.proxy_on_log(id);
    ex.proxy_on_delete(id);
    this.reqMap = null;
    this.respMap = null;
    this.current = 1;
    return req.length + resp.length + a + b + ((a | b) !== 0 ? 1000 : 0);
  }

  /** One request that records what the module did (same fields as EngineDriver.Check). */
  checkedRequest() {
    const before = this.headerGets;
    let req, resp;
    const ex = this.ex;
    req = REQUEST_HEADERS.map(([k, v]) => [k, v]);
    resp = RESPONSE_HEADERS.map(([k, v]) => [k, v]);
    this.reqMap = req;
    this.respMap = resp;
    const id = this.nextId++;
    this.current = id;
    ex.proxy_on_context_create(id, 1);
    const a = ex.proxy_on_request_headers(id, req.length, 1);
    const b = ex.proxy_on_response_headers(id, resp.length, 0);
    ex.proxy_on_done(id);
    ex.proxy_on_log(id);
    ex.proxy_on_delete(id);
    this.current = 1;
    const has = (m, k) => m.some(([n, v]) => n === k && v === '1');
    return {
      requestAdded: has(req, 'x-bench-request'),
      responseAdded: has(resp, 'x-bench-response'),
      headerGets: this.headerGets - before,
      continued: a === 0 && b === 0,
    };
  }

  // Guest memory.

  views() {
    const buf = this.memory.buffer;
    if (buf !== this.buf) {
      this.buf = buf;
      this.u8 = new Uint8Array(buf);
      this.dv = new DataView(buf);
    }
  }

  readString(ptr, len) {
    this.views();
    const u8 = this.u8;
    if (ptr + len > u8.length) throw new RangeError('out of bounds');
    let s = '';
    for (let i = 0; i < len; i++) {
      const c = u8[ptr + i];
      if (c >= 0x80) return utf8Decoder.decode(u8.subarray(ptr, ptr + len));
      s += String.fromCharCode(c);
    }
    return s;
  }

  /** Copies bytes (a string or a Uint8Array) into memory the guest allocates; writes ptr and size. */
  give(value, ptrPtr, sizePtr) {
    let bytes = null;
    let len;
    if (typeof value === 'string') {
      len = value.length;
      for (let i = 0; i < value.length; i++) {
        if (value.charCodeAt(i) >= 0x80) { bytes = utf8Encoder.encode(value); len = bytes.length; break; }
      }
    } else {
      bytes = value;
      len = value.length;
    }
    let ptr = 0;
    if (len > 0) {
      ptr = this.ex.proxy_on_memory_allocate(len);
      if (ptr === 0) return false;
      this.views(); // the allocator may have grown the memory
      const u8 = this.u8;
      if (bytes !== null) u8.set(bytes, ptr);
      else for (let i = 0; i < len; i++) u8[ptr + i] = value.charCodeAt(i);
    } else {
      this.views();
    }
    this.dv.setUint32(ptrPtr, ptr, true);
    this.dv.setUint32(sizePtr, len, true);
    return true;
  }

  map(type) {
    if (type === MAP_REQUEST_HEADERS) return this.reqMap;
    if (type === MAP_RESPONSE_HEADERS) return this.respMap;
    return null;
  }

  // Imports.

  imports(module) {
    const env = {
      proxy_log: (level, ptr, len) => {
        process.stderr.write(`wasm log [${level}]: ${this.readString(ptr, len)}\n`);
        return OK;
      },
      proxy_get_log_level: (ptr) => { this.views(); this.dv.setUint32(ptr, 2, true); return OK; },
      proxy_get_current_time_nanoseconds: (ptr) => {
        this.views();
        this.dv.setBigUint64(ptr, BigInt(Date.now()) * 1000000n, true);
        return OK;
      },
      proxy_set_effective_context: (id) => { this.current = id; return OK; },
      proxy_get_buffer_bytes: (type, start, max, ptrPtr, sizePtr) => {
        let b;
        if (type === BUF_PLUGIN_CONFIGURATION) b = this.pluginConfig;
        else if (type === BUF_VM_CONFIGURATION) b = this.vmConfig;
        else return NOT_FOUND;
        if (start > b.length) return BAD_ARGUMENT;
        const slice = b.subarray(start, Math.min(b.length, start + max));
        return this.give(slice, ptrPtr, sizePtr) ? OK : BAD_ARGUMENT;
      },
      proxy_get_header_map_value: (type, kp, kl, vpp, vlp) => {
        this.headerGets++;
        const m = this.map(type);
        if (m === null) return BAD_ARGUMENT;
        const key = this.readString(kp, kl);
        for (let i = 0; i < m.length; i++) {
          if (m[i][0] === key) return this.give(m[i][1], vpp, vlp) ? OK : BAD_ARGUMENT;
        }
        return NOT_FOUND;
      },
      proxy_add_header_map_value: (type, kp, kl, vp, vl) => {
        const m = this.map(type);
        if (m === null) return BAD_ARGUMENT;
        m.push([this.readString(kp, kl).toLowerCase(), this.readString(vp, vl)]);
        return OK;
      },
      proxy_get_header_map_size: (type, ptr) => {
        const m = this.map(type);
        if (m === null) return BAD_ARGUMENT;
        let n = 0;
        for (const [k, v] of m) n += k.length + v.length;
        this.views();
        this.dv.setUint32(ptr, n, true);
        return OK;
      },
      proxy_define_metric: (type, np, nl, idPtr) => {
        this.metrics.push({ type, name: this.readString(np, nl), value: 0n });
        this.views();
        this.dv.setUint32(idPtr, this.metrics.length, true);
        return OK;
      },
      proxy_increment_metric: (id, delta) => {
        const m = this.metrics[id - 1];
        if (!m) return NOT_FOUND;
        m.value += BigInt(delta);
        return OK;
      },
      proxy_record_metric: (id, value) => {
        const m = this.metrics[id - 1];
        if (!m) return NOT_FOUND;
        m.value = BigInt(value);
        return OK;
      },
      proxy_done: () => OK,
    };
    const wasi = {
      fd_write: (fd, iovs, iovsLen, nwrittenPtr) => {
        if (fd !== 1 && fd !== 2) return WASI_EBADF;
        this.views();
        let total = 0;
        let text = '';
        for (let i = 0; i < iovsLen; i++) {
          const p = this.dv.getUint32(iovs + 8 * i, true);
          const l = this.dv.getUint32(iovs + 8 * i + 4, true);
          text += utf8Decoder.decode(this.u8.subarray(p, p + l));
          total += l;
        }
        process.stderr.write(text);
        this.dv.setUint32(nwrittenPtr, total, true);
        return WASI_ESUCCESS;
      },
      proc_exit: (code) => { throw new ProcExit(code); },
      environ_sizes_get: (countPtr, sizePtr) => {
        this.views(); this.dv.setUint32(countPtr, 0, true); this.dv.setUint32(sizePtr, 0, true); return WASI_ESUCCESS;
      },
      environ_get: () => WASI_ESUCCESS,
      args_sizes_get: (countPtr, sizePtr) => {
        this.views(); this.dv.setUint32(countPtr, 0, true); this.dv.setUint32(sizePtr, 0, true); return WASI_ESUCCESS;
      },
      args_get: () => WASI_ESUCCESS,
      clock_time_get: (id, precision, outPtr) => {
        this.views();
        const t = id === 0 ? BigInt(Date.now()) * 1000000n : process.hrtime.bigint();
        this.dv.setBigUint64(outPtr, t, true);
        return WASI_ESUCCESS;
      },
      random_get: (ptr, len) => {
        this.views();
        for (let off = 0; off < len; off += 65536) {
          webcrypto.getRandomValues(this.u8.subarray(ptr + off, ptr + Math.min(len, off + 65536)));
        }
        return WASI_ESUCCESS;
      },
      sched_yield: () => WASI_ESUCCESS,
      fd_close: () => WASI_EBADF,
      fd_seek: () => WASI_EBADF,
      fd_fdstat_get: () => WASI_EBADF,
    };
    const known = { env, wasi_snapshot_preview1: wasi, wasi_unstable: wasi };
    const out = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.kind !== 'function') throw new Error(`unsupported import ${imp.module}.${imp.name} (${imp.kind})`);
      const table = known[imp.module] || {};
      let fn = table[imp.name];
      if (!fn) {
        const answer = imp.module === 'env' ? UNIMPLEMENTED : WASI_ENOSYS;
        fn = () => answer;
      }
      (out[imp.module] ||= {})[imp.name] = fn;
    }
    return out;
  }
}

/** Same rule as EngineDriver.verify: the filter must really have done what its mode says. */
function verify(host, mode) {
  const c = host.checkedRequest();
  let ok;
  if (mode === 'noop') ok = !c.requestAdded && !c.responseAdded && c.headerGets === 0;
  else if (mode === 'headers') ok = c.requestAdded && c.responseAdded && c.headerGets === 2;
  else if (mode.startsWith('getheader=')) {
    ok = !c.requestAdded && !c.responseAdded && c.headerGets === Number(mode.slice(10));
  } else throw new Error(`mode ${mode} is not one of noop, headers, getheader=N`);
  if (!ok || !c.continued) throw new Error(`v8 in mode ${mode} did not run the filter as expected: ${JSON.stringify(c)}`);
  return c;
}

function describe() {
  return `V8 ${process.versions.v8} (Node ${process.version}), WebAssembly with Liftoff + TurboFan tier-up`;
}

function options(argv, defaults) {
  const o = { ...defaults };
  for (let i = 0; i + 1 < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in o)) throw new Error(`unknown option ${argv[i]}`);
    o[k] = argv[i + 1];
  }
  if (!o.wasm) throw new Error('--wasm PATH is required');
  return o;
}

const now = () => process.hrtime.bigint();

/** Runs request() for about `ms` milliseconds; returns [requests, elapsed ns]. */
function runFor(host, ms) {
  const start = now();
  const end = start + BigInt(Math.round(ms * 1e6));
  let n = 0;
  let sink = 0;
  let t = start;
  // Bounded by time; the count bound only guards a broken clock.
  while (t < end && n < 1e10) {
    for (let i = 0; i < 1000; i++) sink += host.request();
    n += 1000;
    t = now();
  }
  if (sink === -1) console.log('impossible');
  return [n, Number(t - start)];
}

/**
 * As dev.xdsdp.bench.engines.Prewarm: 250 ms chunks until (after at least 3 s) the median of the
 * last 2 s is less than 3% better than the median of the 2 s before and within 10% of the best
 * 2-second median so far, or maxSeconds.
 */
function prewarm(host, maxSeconds) {
  const HALF = 8;
  const start = now();
  const deadline = start + BigInt(Math.round(maxSeconds * 1e9));
  const minEnd = start + 3000000000n;
  const chunks = [];
  let requests = 0;
  let stable = false;
  let best = Infinity;
  let sink = 0;
  let t = start;
  while (t < deadline && !stable) {
    const chunkStart = t;
    const until = chunkStart + 250000000n;
    let k = 0;
    do {
      for (let i = 0; i < 100; i++) sink += host.request();
      k += 100;
      t = now();
    } while (t < until);
    requests += k;
    chunks.push(Number(t - chunkStart) / k);
    const n = chunks.length;
    if (n >= HALF) best = Math.min(best, median(chunks.slice(n - HALF)));
    if (n >= 2 * HALF && t >= minEnd) {
      const last = median(chunks.slice(n - HALF));
      stable = last >= 0.97 * median(chunks.slice(n - 2 * HALF, n - HALF)) && last <= 1.10 * best;
    }
  }
  if (sink === -1) console.log('impossible');
  const trail = chunks.filter((_, i) => i % 4 === 3).map((x) => x.toFixed(0)).join(' ');
  const last = chunks.length >= HALF ? median(chunks.slice(chunks.length - HALF)).toFixed(1) : 'NaN';
  return `prewarm: ${stable ? 'stable' : 'NOT stable (time bound)'} after ${(Number(t - start) / 1e9).toFixed(1)} s ` +
    `(${requests} requests), last 2 s median ${last} ns/op; ns/op each second: ${trail}`;
}

function bench(argv) {
  const o = options(argv, {
    wasm: '', modes: 'noop,headers,getheader=0,getheader=100', warmup: '4', iterations: '3', 'prewarm-max': '60',
  });
  const bytes = readFileSync(o.wasm);
  for (const mode of o.modes.split(',')) {
    const host = new ProxyWasmHost(mode);
    host.load(bytes);
    const c = verify(host, mode);
    console.log(`# engine check: ${describe()}; mode ${mode}: ${JSON.stringify(c)}`);
    console.log(`# v8 ${mode} ${prewarm(host, Number(o['prewarm-max']))}`);
    for (let i = 0; i < Number(o.warmup); i++) {
      const [n, ns] = runFor(host, 1000);
      console.log(`# v8 ${mode} warmup iteration ${i + 1}: ${(ns / n).toFixed(1)} ns/op`);
    }
    const scores = [];
    for (let i = 0; i < Number(o.iterations); i++) {
      const [n, ns] = runFor(host, 1000);
      scores.push(ns / n);
      console.log(`# v8 ${mode} iteration ${i + 1}: ${(ns / n).toFixed(1)} ns/op`);
    }
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const sd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, scores.length - 1));
    console.log(`RESULT engine=v8 mode=${mode} ns=${mean.toFixed(1)} error=${sd.toFixed(1)}`);
  }
}

// The warm-up analysis of dev.xdsdp.bench.coldstart.WarmupSeries, for the same JSON fields.
const WINDOW = 9;
function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length;
  return m % 2 ? s[(m - 1) / 2] : (s[m / 2 - 1] + s[m / 2]) / 2;
}
function seriesJson(batch, ns, at) {
  const n = ns.length;
  let steady = NaN;
  let warm = -1;
  let improving = false;
  if (n >= 2 * WINDOW) {
    const tail = Math.max(5, Math.floor(n / 5));
    steady = median(ns.slice(n - tail));
    if (n >= 2 * tail) improving = steady < 0.9 * median(ns.slice(n - 2 * tail, n - tail));
    for (let i = WINDOW - 1; i < n; i++) {
      if (Math.abs(median(ns.slice(i - WINDOW + 1, i + 1)) - steady) <= 0.10 * steady) { warm = i; break; }
    }
  }
  const f = (x) => (Number.isNaN(x) ? null : Number(x.toFixed(1)));
  return {
    batch, batches: n, steady_ns: f(steady), still_improving: improving,
    warm_ms: warm < 0 ? null : f(at[warm]),
    warm_requests: warm < 0 ? null : (warm + 1) * batch,
    first_batches_ns: ns.slice(0, 10).map(f),
  };
}

function coldstart(argv) {
  const o = options(argv, { wasm: '', mode: 'headers', 'warm-seconds': '10', batch: '100' });
  const bytes = readFileSync(o.wasm);
  const batch = Number(o.batch);
  const host = new ProxyWasmHost(o.mode);
  const t0 = now();
  const t1 = t0; // V8 is part of the process: nothing to make
  host.load(bytes);
  const t2 = now();
  let sink = host.request();
  const t3 = now();
  const firstResponseUs = Math.round((performance.timeOrigin + performance.now()) * 1000);
  const ns = [];
  const at = [];
  const end = t3 + BigInt(Math.round(Number(o['warm-seconds']) * 1e9));
  let prev = t3;
  for (let b = 0; b < 5e7 && prev < end; b++) {
    for (let i = 0; i < batch; i++) sink += host.request();
    const t = now();
    ns.push(Number(t - prev) / batch);
    at.push(Number(t - t3) / 1e6);
    prev = t;
  }
  const c = verify(host, o.mode);
  const ms = (a, b) => Number(b - a) / 1e6;
  const out = {
    engine: 'v8', module: basename(o.wasm), bytes: bytes.length,
    init_ms: Number(ms(t0, t1).toFixed(2)), load_ms: Number(ms(t1, t2).toFixed(2)),
    first_request_ms: Number(ms(t2, t3).toFixed(3)), cold_ms: Number(ms(t0, t3).toFixed(2)),
    first_response_epoch_us: firstResponseUs,
    ...seriesJson(batch, ns, at), sink: sink & 1,
  };
  console.log(`COLDSTART ${JSON.stringify(out)}`);
  console.log(`# ${describe()}; check ${JSON.stringify(c)}`);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'bench') bench(rest);
else if (command === 'coldstart') coldstart(rest);
else {
  console.error('usage: host.mjs bench|coldstart --wasm FILE [options]');
  process.exit(2);
}
