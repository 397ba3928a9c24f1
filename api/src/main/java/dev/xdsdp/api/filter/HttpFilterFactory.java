package dev.xdsdp.api.filter;

import com.google.protobuf.Any;
import java.util.Set;

/**
 * An HTTP filter extension: parses and validates a {@code typed_config} into a
 * {@link FilterFactory}. Registered in the {@link dev.xdsdp.api.registry.ExtensionRegistry} under
 * its config type URLs and its name. Stateless and thread-safe.
 */
public interface HttpFilterFactory {

  /** Envoy's canonical extension name, e.g. {@code envoy.filters.http.router}. */
  String name();

  /**
   * The config message type URLs this factory takes, e.g.
   * {@code type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}.
   */
  Set<String> configTypeUrls();

  /**
   * Parses {@code config} (whose type URL is one of {@link #configTypeUrls()}). Runs off the event
   * loops and may be slow (a Wasm module compiles here).
   *
   * @throws FilterConfigException naming the field and the problem when the config is unusable
   */
  FilterFactory createFilterFactory(Any config, FactoryContext context) throws FilterConfigException;

  /** Parses a {@code typed_per_filter_config} entry for this filter. */
  default RouteSpecificConfig createRouteSpecificConfig(Any config, FactoryContext context)
      throws FilterConfigException {
    throw new FilterConfigException(name() + " does not support per-route config");
  }

  /** True for filters that must be last in the chain (the router). */
  default boolean isTerminal() {
    return false;
  }
}
