package dev.xdsdp.wasm.context;

import dev.xdsdp.api.stream.StreamInfo;
import java.util.List;

/**
 * Where {@code proxy_get_property} looks first. The runtime serves Envoy's attribute catalogue
 * ({@code request.*}, {@code response.*}, {@code source.*}, {@code destination.*},
 * {@code connection.*}, {@code upstream.*}, {@code xds.*}, {@code metadata}, {@code filter_state},
 * {@code plugin_*}, {@code node} and the legacy top-level names) from {@link #streamInfo()}, the
 * stream's headers and the plugin; the host adds or overrides paths through {@link #property}.
 */
public interface PropertyHost {

  /** The stream's facts, or null outside a stream (root context). */
  default StreamInfo streamInfo() {
    return null;
  }

  /**
   * The encoded value of {@code path} (segments as the module sent them, split at NUL), or null
   * to let the runtime's catalogue answer. Values use Envoy's encodings: strings raw, integers
   * 8 bytes little-endian, booleans one byte, messages as protobuf bytes. Useful for what only the
   * data plane knows, e.g. {@code xds.listener_direction}, {@code xds.route_metadata}.
   */
  default byte[] property(List<String> path) {
    return null;
  }

  /** A host with nothing to add. */
  PropertyHost NONE = new PropertyHost() {};
}
