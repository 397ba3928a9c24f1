package dev.xdsdp.wasm.abi.host;

import com.google.protobuf.CodedInputStream;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.context.ContextBase;
import dev.xdsdp.wasm.context.HttpStreamHost;
import dev.xdsdp.wasm.context.StreamContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The functions {@code proxy_call_foreign_function} can reach, by name. The built-ins are the
 * ones of Envoy's {@code source/extensions/common/wasm/foreign.cc} that real plugins use:
 * {@code compress}/{@code uncompress} (zlib), {@code clear_route_cache},
 * {@code set_envoy_filter_state} and {@code declare_property}. Any other name is
 * {@code NOT_FOUND}. The data plane may add its own. Immutable once built; thread-safe.
 */
public final class ForeignFunctions {

  /** One foreign function. Runs on the VM's loop, inside the module's call. */
  @FunctionalInterface
  public interface ForeignFunction {
    /**
     * @param caller the effective context (a stream context for stream-scoped functions)
     * @param args the argument bytes the module passed
     * @return the result bytes (copied into the module), possibly empty
     * @throws ForeignFunctionException to return a status other than OK
     */
    byte[] call(ContextBase caller, byte[] args);
  }

  /** Makes {@code proxy_call_foreign_function} return {@code result}. */
  public static final class ForeignFunctionException extends RuntimeException {
    private final WasmResult result;

    public ForeignFunctionException(WasmResult result, String message) {
      super(message, null, false, false);
      this.result = result;
    }

    public WasmResult result() {
      return result;
    }
  }

  private final Map<String, ForeignFunction> functions;

  private ForeignFunctions(Map<String, ForeignFunction> functions) {
    this.functions = Map.copyOf(functions);
  }

  /** Envoy's common built-ins. */
  public static ForeignFunctions builtins() {
    return builder().build();
  }

  public static Builder builder() {
    Builder b = new Builder();
    b.add("compress", (caller, args) -> compress(args));
    b.add("uncompress", (caller, args) -> uncompress(args));
    b.add("clear_route_cache", (caller, args) -> {
      HttpStreamHost h = stream(caller).httpHost();
      if (h == null) {
        throw new ForeignFunctionException(WasmResult.NOT_FOUND, "needs an HTTP stream context");
      }
      h.clearRouteCache();
      return new byte[0];
    });
    b.add("set_envoy_filter_state", ForeignFunctions::setEnvoyFilterState);
    // Declaring a typed property only changes how Envoy's CEL sees later set_property values;
    // this host stores raw bytes either way, so accepting the declaration is enough.
    b.add("declare_property", (caller, args) -> new byte[0]);
    return b;
  }

  /** The function named {@code name}, or null. */
  public ForeignFunction find(String name) {
    return functions.get(name);
  }

  /** Adds functions to the built-ins. */
  public static final class Builder {
    private final Map<String, ForeignFunction> functions = new HashMap<>();

    public Builder add(String name, ForeignFunction fn) {
      functions.put(name, fn);
      return this;
    }

    public ForeignFunctions build() {
      return new ForeignFunctions(functions);
    }
  }

  private static StreamContext stream(ContextBase caller) {
    if (caller instanceof StreamContext s) {
      return s;
    }
    throw new ForeignFunctionException(WasmResult.NOT_FOUND, "needs a stream context");
  }

  static byte[] compress(byte[] in) {
    Deflater d = new Deflater();
    try {
      d.setInput(in);
      d.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, in.length / 2));
      byte[] buf = new byte[8192];
      while (!d.finished()) {
        out.write(buf, 0, d.deflate(buf));
      }
      return out.toByteArray();
    } finally {
      d.end();
    }
  }

  static byte[] uncompress(byte[] in) {
    Inflater inf = new Inflater();
    try {
      inf.setInput(in);
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, in.length * 2));
      byte[] buf = new byte[8192];
      while (!inf.finished()) {
        int n = inf.inflate(buf);
        if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
          throw new ForeignFunctionException(WasmResult.SERIALIZATION_FAILURE, "truncated zlib data");
        }
        out.write(buf, 0, n);
        if (out.size() > (64 << 20)) {
          throw new ForeignFunctionException(WasmResult.SERIALIZATION_FAILURE, "uncompressed data over 64 MiB");
        }
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new ForeignFunctionException(WasmResult.SERIALIZATION_FAILURE, "bad zlib data: " + e.getMessage());
    } finally {
      inf.end();
    }
  }

  /**
   * Args: {@code envoy.source.extensions.common.wasm.SetEnvoyFilterStateArguments}
   * ({@code string path = 1; string value = 2; LifeSpan span = 3}), read by hand since the message
   * is Envoy-internal. Stores the value under {@code path} in the stream's filter state.
   */
  private static byte[] setEnvoyFilterState(ContextBase caller, byte[] args) {
    StreamInfo info = stream(caller).host().streamInfo();
    if (info == null) {
      throw new ForeignFunctionException(WasmResult.NOT_FOUND, "no stream info");
    }
    String path = null;
    String value = "";
    try {
      CodedInputStream in = CodedInputStream.newInstance(args);
      int tag;
      while ((tag = in.readTag()) != 0) {
        switch (tag >>> 3) {
          case 1 -> path = in.readStringRequireUtf8();
          case 2 -> value = in.readString();
          default -> in.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw new ForeignFunctionException(WasmResult.BAD_ARGUMENT, "bad SetEnvoyFilterStateArguments");
    }
    if (path == null || path.isEmpty()) {
      throw new ForeignFunctionException(WasmResult.BAD_ARGUMENT, "missing path");
    }
    info.filterState().put(path, value);
    return new byte[0];
  }
}
