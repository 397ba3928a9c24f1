package dev.xdsdp.xds.resource.listener;

import dev.xdsdp.api.network.NetworkFilterFactory;

/**
 * A non-terminal network filter of a filter chain (e.g. {@code envoy.filters.network.wasm}),
 * parsed by its registered factory.
 */
public record NetworkFilterConfig(String name, String typeUrl, NetworkFilterFactory factory) {}
