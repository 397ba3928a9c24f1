package dev.xdsdp.wasm.module;

import dev.xdsdp.wasm.WasmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the ABI version from the exported {@code proxy_abi_version_*} marker function, as
 * cpp-host's {@code BytecodeUtil::getAbiVersion} does, before anything is instantiated.
 */
public final class AbiDetector {

  static final String MARKER_PREFIX = "proxy_abi_version_";

  private AbiDetector() {}

  /**
   * The version the module declares.
   *
   * @throws WasmException when no marker or only unknown markers are exported
   */
  public static AbiVersion detect(ModuleInfo info) {
    AbiVersion found = null;
    List<String> unknown = new ArrayList<>();
    for (ModuleInfo.Export e : info.exports().values()) {
      if (!e.name().startsWith(MARKER_PREFIX)) {
        continue;
      }
      AbiVersion v = null;
      for (AbiVersion candidate : AbiVersion.values()) {
        if (candidate.marker().equals(e.name())) {
          v = candidate;
        }
      }
      if (v == null || e.kind() != ModuleInfo.Kind.FUNCTION) {
        unknown.add(e.name() + (e.kind() != ModuleInfo.Kind.FUNCTION ? " (a " + e.kind() + ", not a function)" : ""));
      } else if (found == null || v.compareTo(found) > 0) {
        found = v;
      }
    }
    if (found != null) {
      return found;
    }
    String supported = supportedMarkers();
    if (!unknown.isEmpty()) {
      unknown.sort(null);
      throw new WasmException(
          "Unknown Proxy-Wasm ABI version: the module exports " + String.join(", ", unknown)
              + "; this host supports " + supported);
    }
    throw new WasmException(
        "Missing Proxy-Wasm ABI version: the module exports no proxy_abi_version_* function () -> (); "
            + "this host supports " + supported);
  }

  static String supportedMarkers() {
    List<String> s = new ArrayList<>();
    for (AbiVersion v : AbiVersion.values()) {
      s.add(v.marker());
    }
    return String.join(", ", s);
  }
}
