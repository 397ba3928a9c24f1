package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.abi.memory.GuestMemory;
import dev.xdsdp.wasm.context.ContextBase;
import dev.xdsdp.wasm.context.RootContext;
import dev.xdsdp.wasm.context.StreamContext;
import dev.xdsdp.wasm.context.WasmInstance;

/**
 * Base of the per-area hostcall adapters: access to the calling instance, its memory and its
 * effective context, and the conversions every adapter needs. Adapters validate enums, read guest
 * memory, call the context or host interface, write results back and return a status; they hold
 * no proxy logic.
 */
abstract class AbiFunctions {

  final WasmInstance instance;
  final GuestMemory memory;

  AbiFunctions(WasmInstance instance) {
    this.instance = instance;
    this.memory = instance.memory();
  }

  /** Adds this area's functions. */
  abstract void register(HostFunctions.Registrar r);

  static long code(WasmResult r) {
    return r.code();
  }

  static final long OK = 0;

  /** A guest pointer or size: the i32 argument read as unsigned. */
  static long u32(long arg) {
    return arg & 0xFFFFFFFFL;
  }

  ContextBase effective() {
    return instance.effective();
  }

  /** The effective context if it is a stream context, else null. */
  StreamContext stream() {
    return effective() instanceof StreamContext s ? s : null;
  }

  /** The root of the effective context, or null during initialisation. */
  RootContext root() {
    ContextBase c = effective();
    return c == null ? null : c.root();
  }

  String string(long ptr, long len) {
    return memory.readString(u32(ptr), u32(len));
  }

  byte[] bytes(long ptr, long len) {
    return memory.read(u32(ptr), u32(len));
  }
}
