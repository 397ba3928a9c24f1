package dev.xdsdp.api.network;

import com.google.protobuf.Any;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterConfigException;
import java.util.Set;

/**
 * A network filter extension (Envoy's {@code NamedNetworkFilterConfigFactory}): parses a filter
 * chain's {@code filters[].typed_config} into a {@link NetworkFilterFactory}. Registered in the
 * {@link dev.xdsdp.api.registry.ExtensionRegistry} by its config type URLs and its name. The
 * terminal filters a listener ends with ({@code http_connection_manager}, {@code tcp_proxy}) are
 * built into the listener parser, not registered here. Stateless and thread-safe.
 */
public interface NetworkFilterConfigFactory {

  /** Envoy's extension name, e.g. {@code envoy.filters.network.wasm}. */
  String name();

  /** The config message type URLs this factory takes. */
  Set<String> configTypeUrls();

  /**
   * Parses {@code config}. Runs off the event loops and may be slow (a Wasm module compiles here).
   *
   * @throws FilterConfigException naming the field and the problem when the config is unusable
   */
  NetworkFilterFactory createFilterFactory(Any config, FactoryContext context) throws FilterConfigException;
}
