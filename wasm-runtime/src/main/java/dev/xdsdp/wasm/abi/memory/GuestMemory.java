package dev.xdsdp.wasm.abi.memory;

import dev.xdsdp.wasm.vm.WasmFunction;
import dev.xdsdp.wasm.vm.WasmVm;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked access to one instance's linear memory. Pointers and lengths are the guest's
 * unsigned 32-bit values (passed as {@code long}); anything outside memory throws
 * {@link MemoryAccessException} instead of touching host memory.
 *
 * <p>Results the host returns by pointer are copied into memory the guest allocates with its own
 * allocator; empty results are written as (0, 0) without calling it, as cpp-host does, because
 * several SDK allocators fail on {@code malloc(0)}.
 */
public final class GuestMemory {

  private final WasmVm vm;
  private final Allocator allocator;

  /** Calls the guest's allocator; supplied by the instance so it can fence hostcalls meanwhile. */
  @FunctionalInterface
  public interface Allocator {
    /** A guest pointer to {@code size} fresh bytes, or 0 when the guest could not allocate. */
    long allocate(int size);
  }

  public GuestMemory(WasmVm vm, Allocator allocator) {
    this.vm = vm;
    this.allocator = allocator;
  }

  /** A guest allocator that calls {@code fn(size)}. */
  public static Allocator allocatorOf(WasmFunction fn) {
    return size -> fn == null ? 0 : fn.call(size) & 0xFFFFFFFFL;
  }

  private ByteBuffer buffer(long ptr, long len) {
    ByteBuffer b;
    try {
      b = vm.memory();
    } catch (IllegalStateException e) {
      // A start section runs inside instantiation, before the module's exports (and so its
      // memory) are reachable.
      throw new MemoryAccessException("guest memory is not available yet: " + e.getMessage());
    }
    if (ptr < 0 || len < 0 || ptr + len > b.capacity()) {
      throw new MemoryAccessException(
          "guest memory access [" + ptr + ", +" + len + ") outside memory of " + b.capacity() + " bytes");
    }
    return b;
  }

  public byte[] read(long ptr, long len) {
    ByteBuffer b = buffer(ptr, len);
    byte[] out = new byte[(int) len];
    b.get((int) ptr, out, 0, (int) len);
    return out;
  }

  public String readString(long ptr, long len) {
    return new String(read(ptr, len), StandardCharsets.UTF_8);
  }

  public int readI32(long ptr) {
    return buffer(ptr, 4).getInt((int) ptr);
  }

  public long readI64(long ptr) {
    return buffer(ptr, 8).getLong((int) ptr);
  }

  public byte readByte(long ptr) {
    return buffer(ptr, 1).get((int) ptr);
  }

  public void writeI32(long ptr, int value) {
    buffer(ptr, 4).putInt((int) ptr, value);
  }

  public void writeI64(long ptr, long value) {
    buffer(ptr, 8).putLong((int) ptr, value);
  }

  public void writeByte(long ptr, byte value) {
    buffer(ptr, 1).put((int) ptr, value);
  }

  public void write(long ptr, byte[] data) {
    write(ptr, data, 0, data.length);
  }

  public void write(long ptr, byte[] data, int off, int len) {
    buffer(ptr, len).put((int) ptr, data, off, len);
  }

  /** Checks that {@code [ptr, ptr+len)} is inside memory without reading it. */
  public void check(long ptr, long len) {
    buffer(ptr, len);
  }

  public long size() {
    return buffer(0, 0).capacity();
  }

  /**
   * Copies {@code data} into a fresh guest allocation and writes its address and size to
   * {@code ptrPtr} and {@code sizePtr}. Both out-pointers are checked before the guest allocates.
   *
   * @throws MemoryAccessException on a bad out-pointer or a failed allocation
   */
  public void copyOut(byte[] data, long ptrPtr, long sizePtr) {
    check(ptrPtr, 4);
    check(sizePtr, 4);
    if (data.length == 0) {
      writeI32(ptrPtr, 0);
      writeI32(sizePtr, 0);
      return;
    }
    long p = allocator.allocate(data.length);
    if (p == 0) {
      throw new MemoryAccessException("the guest allocator returned 0 for " + data.length + " bytes");
    }
    // The allocation may have grown memory; buffer() fetches the fresh view.
    write(p, data);
    writeI32(ptrPtr, (int) p);
    writeI32(sizePtr, data.length);
  }
}
