package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.wasm.abi.BufferType;
import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.context.RootContext;
import dev.xdsdp.wasm.context.StreamContext;
import dev.xdsdp.wasm.context.WasmInstance;

/**
 * {@code proxy_get_buffer_bytes}, {@code proxy_set_buffer_bytes}, {@code proxy_get_buffer_status}.
 * Bodies come from the stream host; configuration, call responses, gRPC messages and foreign
 * function arguments from the runtime, each only while it is valid (Envoy's {@code getBuffer}).
 */
final class BufferFunctions extends AbiFunctions {

  BufferFunctions(WasmInstance instance) {
    super(instance);
  }

  @Override
  void register(HostFunctions.Registrar r) {
    r.env("proxy_get_buffer_bytes", a -> getBufferBytes(a[0], a[1], a[2], a[3], a[4]));
    r.env("proxy_set_buffer_bytes", a -> setBufferBytes(a[0], a[1], a[2], a[3], a[4]));
    r.env("proxy_get_buffer_status", a -> getBufferStatus(a[0], a[1], a[2]));
  }

  /** A read-only view of a runtime-held buffer, or a live body. */
  private sealed interface Buffer permits Bytes, Body {
    int length();

    byte[] get(int start, int length);
  }

  private record Bytes(byte[] data) implements Buffer {
    @Override
    public int length() {
      return data.length;
    }

    @Override
    public byte[] get(int start, int length) {
      return java.util.Arrays.copyOfRange(data, start, start + length);
    }
  }

  private record Body(BodyBuffer body) implements Buffer {
    @Override
    public int length() {
      return body.length();
    }

    @Override
    public byte[] get(int start, int length) {
      return body.getBytes(start, length);
    }
  }

  /** The buffer of {@code type} in the current callback, or null. */
  private Buffer buffer(BufferType type) {
    RootContext root = root();
    switch (type) {
      case HTTP_REQUEST_BODY, HTTP_RESPONSE_BODY, DOWNSTREAM_DATA, UPSTREAM_DATA -> {
        StreamContext s = stream();
        BodyBuffer b = s == null ? null : s.host().body(type);
        return b == null ? null : new Body(b);
      }
      case HTTP_CALL_RESPONSE_BODY -> {
        return root == null || root.httpCallBody() == null ? null : new Bytes(root.httpCallBody());
      }
      case GRPC_RECEIVE_BUFFER -> {
        return root == null || root.grpcMessage() == null ? null : new Bytes(root.grpcMessage());
      }
      case VM_CONFIGURATION -> {
        return new Bytes(instance.plugin().config().vmConfiguration());
      }
      case PLUGIN_CONFIGURATION -> {
        return root != null && root.inConfigure() ? new Bytes(root.plugin().config().pluginConfiguration()) : null;
      }
      case CALL_DATA -> {
        return root == null || root.foreignFunctionArgs() == null ? null : new Bytes(root.foreignFunctionArgs());
      }
      default -> {
        return null;
      }
    }
  }

  private long getBufferBytes(long typeArg, long startArg, long maxArg, long ptrPtr, long sizePtr) {
    BufferType type = BufferType.fromCode(u32(typeArg));
    // cpp-host's overflow check is on 64-bit words, so u32 arguments never trip it: a start plus
    // a max size of 0xFFFFFFFF just means "to the end".
    long start = u32(startArg);
    long max = u32(maxArg);
    if (type == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    Buffer b = buffer(type);
    if (b == null) {
      return code(WasmResult.NOT_FOUND);
    }
    long length = Math.min(max, Math.max(0, b.length() - start));
    byte[] data = length == 0 ? new byte[0] : b.get((int) start, (int) length);
    memory.copyOut(data, u32(ptrPtr), u32(sizePtr));
    return OK;
  }

  /**
   * Envoy supports prepend (start 0, size 0), replace from the front (start 0, size n) and append
   * (start at or past the end); a write into the middle is {@code BAD_ARGUMENT}.
   */
  private long setBufferBytes(long typeArg, long startArg, long sizeArg, long dataPtr, long dataSize) {
    BufferType type = BufferType.fromCode(u32(typeArg));
    if (type == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    Buffer b = buffer(type);
    if (b == null) {
      return code(WasmResult.NOT_FOUND);
    }
    if (!(b instanceof Body body)) {
      return code(WasmResult.BAD_ARGUMENT); // configuration and call buffers are immutable
    }
    if (instance.effective() instanceof StreamContext s && s.accessLogPhase()) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    byte[] data = bytes(dataPtr, dataSize);
    long start = u32(startArg);
    long size = u32(sizeArg);
    int length = body.body().length();
    if (start == 0) {
      body.body().replace(0, (int) Math.min(size, length), data);
    } else if (start >= length) {
      body.body().append(data);
    } else {
      return code(WasmResult.BAD_ARGUMENT);
    }
    return OK;
  }

  private long getBufferStatus(long typeArg, long sizePtr, long flagsPtr) {
    BufferType type = BufferType.fromCode(u32(typeArg));
    if (type == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    Buffer b = buffer(type);
    if (b == null) {
      return code(WasmResult.NOT_FOUND);
    }
    memory.check(u32(flagsPtr), 4);
    memory.writeI32(u32(sizePtr), b.length());
    memory.writeI32(u32(flagsPtr), 0);
    return OK;
  }
}
