package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.context.ContextBase;
import dev.xdsdp.wasm.context.WasmInstance;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code proxy_get_property} and {@code proxy_set_property}. Paths are NUL-separated segments.
 * A set stores the value as filter state {@code wasm.<path>} on the stream, where any plugin's
 * later get of the same path finds it, as Envoy does.
 */
final class PropertyFunctions extends AbiFunctions {

  PropertyFunctions(WasmInstance instance) {
    super(instance);
  }

  @Override
  void register(HostFunctions.Registrar r) {
    r.env("proxy_get_property", a -> getProperty(a[0], a[1], a[2], a[3]));
    r.env("proxy_set_property", a -> setProperty(a[0], a[1], a[2], a[3]));
  }

  /** Splits at NUL; a trailing NUL (some SDKs send one) adds no empty segment. */
  static List<String> splitPath(byte[] raw) {
    List<String> out = new ArrayList<>();
    if (raw.length == 0) {
      return out;
    }
    int end = raw[raw.length - 1] == 0 ? raw.length - 1 : raw.length;
    int start = 0;
    for (int i = 0; i <= end; i++) {
      if (i == end || raw[i] == 0) {
        out.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    return out;
  }

  private long getProperty(long pathPtr, long pathLen, long retPtrPtr, long retLenPtr) {
    List<String> path = splitPath(bytes(pathPtr, pathLen));
    ContextBase ctx = effective();
    if (ctx == null) {
      return code(WasmResult.NOT_FOUND);
    }
    byte[] value = PropertyResolver.resolve(ctx, instance.pluginOf(ctx), path);
    if (value == null) {
      return code(WasmResult.NOT_FOUND);
    }
    memory.copyOut(value, u32(retPtrPtr), u32(retLenPtr));
    return OK;
  }

  private long setProperty(long pathPtr, long pathLen, long valPtr, long valLen) {
    List<String> path = splitPath(bytes(pathPtr, pathLen));
    byte[] value = bytes(valPtr, valLen);
    ContextBase ctx = effective();
    StreamInfo info = ctx == null ? null : ctx.propertyHost().streamInfo();
    if (info == null || path.isEmpty()) {
      return code(WasmResult.NOT_FOUND);
    }
    info.filterState().put(PropertyResolver.FILTER_STATE_PREFIX + String.join(".", path), value);
    return OK;
  }
}
