package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.wasm.abi.MapType;
import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.abi.memory.PairsCodec;
import dev.xdsdp.wasm.context.ContextBase;
import dev.xdsdp.wasm.context.HeaderHost;
import dev.xdsdp.wasm.context.RootContext;
import dev.xdsdp.wasm.context.WasmInstance;
import dev.xdsdp.wasm.module.AbiVersion;
import java.util.List;
import java.util.Map;

/**
 * The header-map hostcalls with Envoy's semantics: keys lower-cased, {@code get} returns the first
 * value, {@code set_pairs} replaces every entry (pseudo-headers included), an empty map is
 * returned as (0, 0). A map that does not exist in this callback is {@code BAD_ARGUMENT}, or
 * {@code NOT_FOUND} in the access-log phase; a missing key is {@code NOT_FOUND} in 0.2.x and an
 * empty {@code OK} in 0.1.0.
 */
final class HeaderMapFunctions extends AbiFunctions {

  HeaderMapFunctions(WasmInstance instance) {
    super(instance);
  }

  @Override
  void register(HostFunctions.Registrar r) {
    r.env("proxy_get_header_map_pairs", a -> getPairs(a[0], a[1], a[2]));
    r.env("proxy_set_header_map_pairs", a -> setPairs(a[0], a[1], a[2]));
    r.env("proxy_get_header_map_value", a -> getValue(a[0], a[1], a[2], a[3], a[4]));
    r.env("proxy_add_header_map_value", a -> addValue(a[0], a[1], a[2], a[3], a[4], false));
    r.env("proxy_replace_header_map_value", a -> addValue(a[0], a[1], a[2], a[3], a[4], true));
    r.env("proxy_remove_header_map_value", a -> removeValue(a[0], a[1], a[2]));
    r.env("proxy_get_header_map_size", a -> getSize(a[0], a[1]));
  }

  /** A resolved map and whether the module may change it. */
  private record Target(HeaderMap map, boolean writable) {}

  private static final Target ABSENT = new Target(null, false);

  /** Resolves {@code type}, or returns null for an out-of-range type. */
  private Target target(long typeArg, boolean forWrite) {
    MapType type = MapType.fromCode(u32(typeArg));
    if (type == null) {
      return null;
    }
    if (type.isStream()) {
      ContextBase c = effective();
      HeaderHost h = c == null ? null : c.headerHost();
      if (h == null) {
        return ABSENT;
      }
      boolean logPhase = c.accessLogPhase();
      HeaderMap m = h.headerMap(type, forWrite && !logPhase);
      return new Target(m, !logPhase);
    }
    RootContext root = root();
    if (root == null) {
      return ABSENT;
    }
    HeaderMap m =
        switch (type) {
          case HTTP_CALL_RESPONSE_HEADERS -> root.httpCallHeaders();
          case HTTP_CALL_RESPONSE_TRAILERS -> root.httpCallTrailers();
          case GRPC_CALL_INITIAL_METADATA -> root.grpcInitialMetadata();
          case GRPC_CALL_TRAILING_METADATA -> root.grpcTrailingMetadata();
          default -> null;
        };
    return new Target(m, false);
  }

  private long missingMap() {
    ContextBase c = effective();
    return code(c != null && c.accessLogPhase() ? WasmResult.NOT_FOUND : WasmResult.BAD_ARGUMENT);
  }

  private long getPairs(long type, long ptrPtr, long sizePtr) {
    Target t = target(type, false);
    if (t == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    if (t.map() == null) {
      return missingMap();
    }
    memory.copyOut(PairsCodec.encode(t.map().entries()), u32(ptrPtr), u32(sizePtr));
    return OK;
  }

  private long setPairs(long type, long ptr, long size) {
    Target t = target(type, true);
    if (t == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    if (t.map() == null) {
      return missingMap();
    }
    if (!t.writable()) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    List<Map.Entry<String, String>> pairs = PairsCodec.decode(bytes(ptr, size));
    if (pairs == null) {
      // cpp-host would read malformed pairs as an empty map and wipe every header; refusing
      // them keeps the request intact and tells the module.
      return code(WasmResult.BAD_ARGUMENT);
    }
    HeaderMap map = t.map();
    map.clear();
    for (Map.Entry<String, String> e : pairs) {
      map.add(e.getKey(), e.getValue());
    }
    return OK;
  }

  private long getValue(long type, long keyPtr, long keyLen, long valPtrPtr, long valLenPtr) {
    Target t = target(type, false);
    if (t == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    String key = string(keyPtr, keyLen);
    boolean v01 = instance.version() == AbiVersion.V0_1_0;
    if (t.map() == null) {
      ContextBase c = effective();
      if (c != null && c.accessLogPhase() && v01) {
        memory.copyOut(new byte[0], u32(valPtrPtr), u32(valLenPtr));
        return OK;
      }
      return missingMap();
    }
    String value = t.map().get(key);
    if (value == null) {
      if (v01) {
        memory.copyOut(new byte[0], u32(valPtrPtr), u32(valLenPtr));
        return OK;
      }
      return code(WasmResult.NOT_FOUND);
    }
    memory.copyOut(value.getBytes(java.nio.charset.StandardCharsets.UTF_8), u32(valPtrPtr), u32(valLenPtr));
    return OK;
  }

  private long addValue(long type, long keyPtr, long keyLen, long valPtr, long valLen, boolean replace) {
    Target t = target(type, true);
    if (t == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    if (t.map() == null) {
      return missingMap();
    }
    if (!t.writable()) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    String key = string(keyPtr, keyLen);
    String value = string(valPtr, valLen);
    if (replace) {
      t.map().set(key, value);
    } else {
      t.map().add(key, value);
    }
    return OK;
  }

  private long removeValue(long type, long keyPtr, long keyLen) {
    Target t = target(type, true);
    if (t == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    if (t.map() == null) {
      return missingMap();
    }
    if (!t.writable()) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    t.map().remove(string(keyPtr, keyLen));
    return OK;
  }

  private long getSize(long type, long sizePtr) {
    Target t = target(type, false);
    if (t == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    if (t.map() == null) {
      return missingMap();
    }
    memory.writeI32(u32(sizePtr), (int) t.map().byteSize());
    return OK;
  }
}
